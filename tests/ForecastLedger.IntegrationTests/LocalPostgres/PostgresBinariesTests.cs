using System.Runtime.Versioning;
using ForecastLedger.LocalPostgres;

namespace ForecastLedger.IntegrationTests.LocalPostgres;

[SupportedOSPlatform("linux")]
public sealed class PostgresBinariesTests : IDisposable
{
    private readonly string _empty = Directory.CreateTempSubdirectory("fl-no-pg-").FullName;

    public void Dispose() => Directory.Delete(_empty, recursive: true);

    [Fact]
    public void Explicit_directory_without_binaries_fails_with_one_line()
    {
        var ex = Assert.Throws<PostgresBinariesNotFoundException>(() => PostgresBinaries.Locate(_empty));

        Assert.DoesNotContain('\n', ex.Message);
        Assert.Contains(_empty, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_that_finds_nothing_says_what_it_searched_and_what_to_install()
    {
        var ex = Assert.Throws<PostgresBinariesNotFoundException>(
            () => PostgresBinaries.Locate(explicitBinDirectory: null, environmentBinDirectory: null, pathVariable: _empty, debianInstallRoot: _empty));

        Assert.DoesNotContain('\n', ex.Message);
        Assert.Contains("PATH", ex.Message, StringComparison.Ordinal);
        Assert.Contains("FORECASTLEDGER_PG_BIN", ex.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install postgresql", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starting_a_cluster_without_binaries_fails_before_touching_the_disk()
    {
        var root = Path.Combine(_empty, "cluster");
        var options = new LocalClusterOptions { RootDirectory = root, BinDirectory = _empty };

        await Assert.ThrowsAsync<PostgresBinariesNotFoundException>(
            () => LocalCluster.StartAsync(options, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public void Debian_layout_prefers_the_highest_major_version()
    {
        var root = Path.Combine(_empty, "postgresql");
        foreach (var version in new[] { "9.6", "15", "16" })
        {
            var bin = Directory.CreateDirectory(Path.Combine(root, version, "bin")).FullName;
            foreach (var name in new[] { "initdb", "pg_ctl", "postgres" })
            {
                File.WriteAllText(Path.Combine(bin, name), "#!/bin/sh\n");
                File.SetUnixFileMode(Path.Combine(bin, name), UnixFileMode.UserRead | UnixFileMode.UserExecute);
            }
        }

        var found = PostgresBinaries.Locate(explicitBinDirectory: null, environmentBinDirectory: null, pathVariable: null, debianInstallRoot: root);

        Assert.Equal(Path.Combine(root, "16", "bin"), found);
    }

    [Fact]
    public void Symlinked_binaries_on_PATH_resolve_to_the_real_directory()
    {
        var real = Directory.CreateDirectory(Path.Combine(_empty, "real")).FullName;
        var linked = Directory.CreateDirectory(Path.Combine(_empty, "linked")).FullName;
        foreach (var name in new[] { "initdb", "pg_ctl", "postgres" })
        {
            File.WriteAllText(Path.Combine(real, name), "#!/bin/sh\n");
            File.SetUnixFileMode(Path.Combine(real, name), UnixFileMode.UserRead | UnixFileMode.UserExecute);
            File.CreateSymbolicLink(Path.Combine(linked, name), Path.Combine(real, name));
        }

        var found = PostgresBinaries.Locate(explicitBinDirectory: null, environmentBinDirectory: null, pathVariable: linked, debianInstallRoot: _empty);

        Assert.Equal(real, found);
    }

    [Fact]
    public void Machine_binaries_are_found()
    {
        var found = PostgresBinaries.Locate(explicitBinDirectory: null);

        Assert.True(File.Exists(Path.Combine(found, "pg_ctl")));
    }
}
