using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ForecastLedger.Api.Infrastructure.Authentication;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ForecastLedger.IntegrationTests.Authentication;

[Collection(IntegrationCollection.Name)]
public sealed partial class when_bootstrapping_the_admin_key(PostgresFixture db)
{
    private const string ConfiguredKey = "fl_EnvAdmin_ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba9876543210";

    [Fact]
    public async Task the_key_from_the_environment_variable_becomes_the_admin_key_and_nothing_is_printed()
    {
        var output = new StringWriter();
        await using var api = await db.StartApiAsync(nameof(the_key_from_the_environment_variable_becomes_the_admin_key_and_nothing_is_printed), configure: b =>
        {
            b.UseSetting("Ledger:AdminKey", "");
            b.UseSetting(AdminKeyBootstrap.EnvironmentVariable, ConfiguredKey);
            b.ConfigureServices(s => s.AddSingleton(new BootstrapConsole(output)));
        });

        var me = await api.ClientWithKey(ConfiguredKey).GetFromJsonAsync<JsonElement>("/api/forecasters/me");

        Assert.Equal("admin", me.GetProperty("role").GetString());
        Assert.Equal(string.Empty, output.ToString());
        await (await api.AdminClient().GetAsync("/api/events")).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-api-key");
    }

    [Fact]
    public async Task a_generated_key_is_printed_once_and_survives_a_restart()
    {
        var schema = await db.FreshSchemaAsync(nameof(a_generated_key_is_printed_once_and_survives_a_restart));
        var firstOutput = new StringWriter();
        var secondOutput = new StringWriter();

        string printed;
        await using (var first = Start(schema, firstOutput))
        {
            _ = first.Server;
            var match = PrintedKey().Match(firstOutput.ToString());
            Assert.True(match.Success, $"no key line in: {firstOutput}");
            printed = match.Groups["key"].Value;
            Assert.Equal(HttpStatusCode.OK, (await first.ClientWithKey(printed).GetAsync("/api/events")).StatusCode);
        }

        await using var second = Start(schema, secondOutput);
        _ = second.Server;

        Assert.Equal(string.Empty, secondOutput.ToString());
        Assert.Equal(HttpStatusCode.OK, (await second.ClientWithKey(printed).GetAsync("/api/events")).StatusCode);
        var keys = (await second.ClientWithKey(printed).GetFromJsonAsync<JsonElement>("/api/keys")).GetProperty("keys");
        Assert.Single(keys.EnumerateArray(), k => k.GetProperty("role").GetString() == "admin");
    }

    [Fact]
    public async Task an_invalid_configured_key_stops_start_up_with_a_clear_message()
    {
        var schema = await db.FreshSchemaAsync(nameof(an_invalid_configured_key_stops_start_up_with_a_clear_message));
        await using var api = new LedgerApiFactory(db.ConnectionString, schema, configure: b => b.UseSetting("Ledger:AdminKey", "too-short"));

        var failure = Record.Exception(() => api.Server);

        Assert.NotNull(failure);
        Assert.Contains("Ledger:AdminKey is not a valid ForecastLedger key", failure.ToString(), StringComparison.Ordinal);
    }

    private LedgerApiFactory Start(string schema, StringWriter output) =>
        new(db.ConnectionString, schema, configure: b =>
        {
            b.UseSetting("Ledger:AdminKey", "");
            b.ConfigureServices(s => s.AddSingleton(new BootstrapConsole(output)));
        });

    [GeneratedRegex(@"^ForecastLedger admin API key \(shown once, store it now\): (?<key>fl_[0-9A-Za-z]{8}_[0-9A-Za-z]{43})\r?$", RegexOptions.Multiline)]
    private static partial Regex PrintedKey();
}
