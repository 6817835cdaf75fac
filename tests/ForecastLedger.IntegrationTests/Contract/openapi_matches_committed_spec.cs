using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Contract;

[Collection(IntegrationCollection.Name)]
public sealed class openapi_matches_committed_spec(PostgresFixture db)
{
    public const string UpdateVariable = "FORECASTLEDGER_UPDATE_OPENAPI";

    [Fact]
    public async Task the_served_document_equals_api_specs_openapi_json()
    {
        await using var api = await db.StartApiAsync(nameof(openapi_matches_committed_spec));
        var served = Normalise(await api.CreateClient().GetStringAsync("/swagger/v1/swagger.json"));
        var path = Path.Combine(Repository.Root, "api-specs", "openapi.json");

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(path, served);
        }

        var committed = File.Exists(path) ? Normalise(await File.ReadAllTextAsync(path)) : string.Empty;
        Assert.True(committed == served, "api-specs/openapi.json is stale: run `./build.sh update-openapi` and commit it.");
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n";
}
