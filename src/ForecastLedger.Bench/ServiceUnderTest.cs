using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ForecastLedger.LocalPostgres;
using Microsoft.Extensions.Logging.Abstractions;

namespace ForecastLedger.Bench;

/// <summary>
/// The real service as a child process: a fresh durable PostgreSQL cluster (LocalCluster, synchronous_commit on) in a
/// new data folder, and the API's own build output (<c>dotnet ForecastLedger.Api.dll</c>) pointed at it on a free port.
/// </summary>
internal sealed class ServiceUnderTest : IAsyncDisposable
{
    private readonly string _root;
    private readonly bool _keep;
    private LocalCluster? _cluster;
    private Process? _api;
    private StreamWriter? _log;

    private ServiceUnderTest(string root, bool keep)
    {
        _root = root;
        _keep = keep;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public string AdminKey { get; private set; } = null!;

    public string ConnectionString => _cluster!.ConnectionString;

    public int ApiPid => _api!.Id;

    public string LogPath => Path.Combine(_root, "api.log");

    public string DataDirectory => _cluster!.DataDirectory;

    /// <summary>
    /// Starts a fresh cluster and service, or with <paramref name="reuse"/> the cluster of a kept run (its admin key must be
    /// passed: the service stores only its hash).
    /// </summary>
    public static async Task<ServiceUnderTest> StartAsync(bool keep, CancellationToken ct, string? reuse = null, string? adminKey = null)
    {
        // Under /tmp: as root the cluster runs as the postgres user, which cannot traverse /root.
        var root = reuse ?? Path.Combine(Path.GetTempPath(), "flbench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        var service = new ServiceUnderTest(root, keep || reuse is not null);
        try
        {
            await service.StartCoreAsync(adminKey, ct);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(string? adminKey, CancellationToken ct)
    {
        var apiDll = LocateApi();
        Console.WriteLine($"service: {apiDll}");
        _cluster = await LocalCluster.StartAsync(new LocalClusterOptions { RootDirectory = _root, MaxConnections = 300 }, NullLogger.Instance, ct);
        Console.WriteLine($"postgres: durable local cluster on port {_cluster.Port} in {_cluster.DataDirectory}");

        AdminKey = adminKey ?? $"fl_{RandomNumberGenerator.GetString(Base62, 8)}_{RandomNumberGenerator.GetString(Base62, 43)}";
        if (_keep && adminKey is null)
        {
            // A kept folder can be measured again (--data); the key is a secret, so only the owner may read it.
            var keyFile = Path.Combine(_root, "admin.key");
            File.WriteAllText(keyFile, AdminKey);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(apiDll)!,
        };
        start.ArgumentList.Add(apiDll);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = BaseAddress.ToString().TrimEnd('/');
        start.Environment["ConnectionStrings__Ledger"] = _cluster.ConnectionString;
        // The bench's own fresh cluster: the service migrates it on start, which a configured server does not by default (ADR 0022).
        start.Environment["Ledger__MigrateOnStart"] = "true";
        start.Environment["FORECASTLEDGER_ADMIN_KEY"] = AdminKey;
        // Seeding registers thousands of forecasters from one address; the default limit is 10 an hour.
        start.Environment["Ledger__Registration__PermitLimit"] = "100000000";
        // The benchmark measures the service's throughput, not the per-forecaster write limit (2/s, bursts of 100):
        // seeding and the submit phases post far faster than that with a few forecasters each.
        start.Environment["Ledger__ForecasterWrites__Burst"] = "100000000";
        start.Environment["Ledger__ForecasterWrites__PerSecond"] = "100000000";
        _log = new StreamWriter(LogPath) { AutoFlush = true };
        _api = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        _api.OutputDataReceived += (_, e) => Log(e.Data);
        _api.ErrorDataReceived += (_, e) => Log(e.Data);
        _api.BeginOutputReadLine();
        _api.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_api.HasExited)
            {
                throw new InvalidOperationException($"The service exited with code {_api.ExitCode}; see {LogPath}.");
            }

            try
            {
                using var ready = await http.GetAsync("/health/ready", ct);
                if (ready.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(180))
            {
                throw new TimeoutException($"The service did not become ready in 180 s; see {LogPath}.");
            }

            await Task.Delay(100, ct);
        }

        Console.WriteLine($"service: pid {_api.Id} ready on {BaseAddress} in {deadline.Elapsed.TotalSeconds:0.0} s");
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            lock (_log!)
            {
                _log.WriteLine(line);
            }
        }
    }

    private const string Base62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>The API's build output in the configuration this bench was built in (the bench's project reference builds it).</summary>
    internal static string LocateApi()
    {
        var baseDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        // .../src/ForecastLedger.Bench/bin/<Configuration>/<tfm>
        var tfm = Path.GetFileName(baseDirectory);
        var configuration = Path.GetFileName(Path.GetDirectoryName(baseDirectory)!);
        var directory = new DirectoryInfo(baseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ForecastLedger.sln")))
        {
            directory = directory.Parent;
        }

        if (directory is null)
        {
            throw new InvalidOperationException("Cannot find the repository (ForecastLedger.sln) above " + baseDirectory);
        }

        var dll = Path.Combine(directory.FullName, "src", "ForecastLedger.Api", "bin", configuration, tfm, "ForecastLedger.Api.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The service is not built: {dll}. Build src/ForecastLedger.Api -c {configuration}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_api is { HasExited: false })
        {
            // SIGTERM: a graceful stop (the daemon releases its locks), then kill if it hangs.
            using (var term = Process.Start("kill", ["-TERM", _api.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _api.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _api.Kill(entireProcessTree: true);
            }
        }

        _api?.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _log?.Dispose();
        if (!_keep && Directory.Exists(_root))
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"could not delete {_root}: {e.Message}");
            }
        }
    }
}
