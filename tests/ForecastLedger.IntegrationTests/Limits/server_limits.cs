using ForecastLedger.Api.Infrastructure;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ForecastLedger.IntegrationTests.Limits;

/// <summary>Kestrel's limits are set on purpose (issue 11, item 1): by default below the process's descriptor limit.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class server_limits(PostgresFixture db)
{
    [Theory]
    [InlineData(20_000L, 10_000L)]
    [InlineData(1_024L, 512L)]
    [InlineData(1_048_576L, ServerLimits.ConnectionCeiling)]
    [InlineData(null, ServerLimits.ConnectionsWhenDescriptorLimitUnknown)]
    public void the_default_connection_limit_leaves_half_the_descriptors_to_the_rest_of_the_process(long? openFiles, long expected) =>
        Assert.Equal(expected, ServerLimits.DefaultMaxConcurrentConnections(openFiles));

    [Fact]
    public void the_soft_open_files_limit_is_read_from_proc_limits()
    {
        const string Limits = """
            Limit                     Soft Limit           Hard Limit           Units
            Max processes             unlimited            unlimited            processes
            Max open files            20000                40000                files
            Max locked memory         8388608              8388608              bytes
            """;

        Assert.Equal(20_000, ServerLimits.ParseSoftOpenFiles(Limits));
        Assert.Null(ServerLimits.ParseSoftOpenFiles(Limits.Replace("20000 ", "unlimited ", StringComparison.Ordinal)));
        Assert.Null(ServerLimits.ParseSoftOpenFiles("Max processes  10  10  processes"));
    }

    [Fact]
    public void settings_under_kestrel_limits_replace_the_defaults()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kestrel:Limits:MaxConcurrentConnections"] = "50",
            ["Kestrel:Limits:KeepAliveTimeout"] = "00:00:05",
            ["Kestrel:Limits:MaxRequestBodySize"] = "1024",
        }).Build();

        var limits = ServerLimits.From(configuration, openFilesLimit: 20_000);

        Assert.Equal(new ServerLimits(50, ServerLimits.DefaultMaxConcurrentUpgradedConnections, TimeSpan.FromSeconds(5),
            ServerLimits.DefaultRequestHeadersTimeout, 1024), limits);
    }

    [Fact]
    public async Task the_host_applies_a_connection_limit_below_the_descriptor_limit_and_shorter_timeouts_than_kestrels()
    {
        await using var api = await db.StartApiAsync(nameof(server_limits));
        var limits = api.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        Assert.Equal(ServerLimits.DefaultMaxConcurrentConnections(ServerLimits.SoftOpenFilesLimit()), limits.MaxConcurrentConnections);
        if (ServerLimits.SoftOpenFilesLimit() is { } openFiles)
        {
            Assert.True(limits.MaxConcurrentConnections <= openFiles / 2, $"{limits.MaxConcurrentConnections} connections for {openFiles} descriptors");
        }

        Assert.Equal(ServerLimits.DefaultMaxConcurrentUpgradedConnections, limits.MaxConcurrentUpgradedConnections);
        Assert.Equal(ServerLimits.DefaultKeepAliveTimeout, limits.KeepAliveTimeout);
        Assert.Equal(ServerLimits.DefaultRequestHeadersTimeout, limits.RequestHeadersTimeout);
        Assert.Equal(ServerLimits.DefaultMaxRequestBodySize, limits.MaxRequestBodySize);
    }
}
