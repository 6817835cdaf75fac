using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using ForecastLedger.Bench;
using Npgsql;

BenchOptions options;
try
{
    if (args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine(BenchOptions.Usage);
        return 0;
    }

    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var ct = cancel.Token;
var total = Stopwatch.StartNew();
var notes = new List<string>();
var loadAtStart = Machine.LoadAverage();

ServiceUnderTest? service = null;
try
{
    Uri baseAddress;
    string adminKey;
    string? connectionString;
    if (options.Url is { } url)
    {
        baseAddress = url;
        adminKey = options.AdminKey ?? Environment.GetEnvironmentVariable("FORECASTLEDGER_ADMIN_KEY")
            ?? throw new ArgumentException("--url needs --admin-key or FORECASTLEDGER_ADMIN_KEY.");
        connectionString = options.PostgresConnection;
        notes.Add($"Targeted a running service at {url}; server CPU and memory are not measured (not a child process).");
    }
    else
    {
        string? reusedKey = null;
        if (options.DataDirectory is { } data)
        {
            var keyFile = Path.Combine(data, "admin.key");
            reusedKey = options.AdminKey ?? Environment.GetEnvironmentVariable("FORECASTLEDGER_ADMIN_KEY")
                ?? (File.Exists(keyFile) ? File.ReadAllText(keyFile).Trim()
                    : throw new ArgumentException($"--data needs the admin key of the run that seeded {data}: --admin-key, FORECASTLEDGER_ADMIN_KEY or {keyFile}."));
            notes.Add($"Measured again on the data kept in {data} by an earlier run (no seeding); the seeding figures are that run's.");
        }

        service = await ServiceUnderTest.StartAsync(options.Keep, ct, options.DataDirectory, reusedKey);
        baseAddress = service.BaseAddress;
        adminKey = service.AdminKey;
        connectionString = service.ConnectionString;
    }

    var maxClients = Math.Max(options.Clients.Max(), options.SeedClients);
    using var handler = new SocketsHttpHandler
    {
        MaxConnectionsPerServer = maxClients + options.Exporters + 4,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
    };
    using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromHours(2) };
    var runId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
    var workload = new Workload(http, adminKey, runId);
    var probe = new ProcessProbe(service?.ApiPid, service?.DataDirectory);

    var seed = options.DataDirectory is null
        ? await workload.SeedAsync(options.Forecasters, options.Questions, options.Forecasts, options.SeedClients, options.SeedBudget, ct)
        : await workload.AttachAsync(Math.Max(options.Clients.Max() * 4, 256), options.SeedClients, options.TopUp, ct);
    if (seed.Forecasts < seed.PlannedForecasts)
    {
        notes.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Seeding stopped at its time budget: {seed.Forecasts:N0} of the planned {seed.PlannedForecasts:N0} forecasts were posted through the API at {seed.ForecastsPerSecond:0}/s; the full count would take about {seed.PlannedForecasts / seed.ForecastsPerSecond / 3600:0.0} h at that rate."));
    }

    var phases = new List<PhaseResult>();
    var pgbench = new List<PgBenchResult>();
    await using var limit = connectionString is not null && !options.SkipPgBench ? new PgBench(connectionString, options.Schema) : null;
    if (limit is not null)
    {
        await limit.SetUpAsync(ct);
    }
    else
    {
        notes.Add("pgbench was not run (no PostgreSQL connection, or --skip-pgbench).");
    }

    foreach (var clients in options.Clients)
    {
        foreach (var phase in new[] { "trivial", "leaderboard", "crowd", "submit", Workload.SubmitWithExports, "mix" })
        {
            var sampleLag = phase is "submit" or Workload.SubmitWithExports or "mix";
            var exporters = phase == Workload.SubmitWithExports ? options.Exporters : 0;
            var result = await workload.RunPhaseAsync(phase, clients, options.Duration, probe, sampleLag, ct, exporters);
            phases.Add(result);
            Report.PrintPhase(result);
        }

        if (limit is not null)
        {
            foreach (var locked in new[] { true, false })
            {
                var result = await limit.RunAsync(locked, clients, options.Duration, ct);
                pgbench.Add(result);
                Console.WriteLine($"pgbench  c={clients,-3} {result.Script,-34} {result.TransactionsPerSecond,10:0} tps  avg {result.LatencyAverageMs:0.00} ms  failed {result.Failed}");
            }
        }
    }

    RebuildResult? rebuild = null;
    if (!options.SkipRebuild)
    {
        Console.WriteLine("rebuild: question_scores from zero …");
        rebuild = await workload.RebuildAsync(ct);
        Console.WriteLine(rebuild.Error ?? $"rebuild: {rebuild.Events:N0} events in {rebuild.ServerMilliseconds / 1000:0.00} s = {rebuild.EventsPerSecond:0} events/s");
    }

    if (limit is not null)
    {
        await limit.DisposeAsync();
    }

    long? databaseBytes = null;
    var machine = await Machine.DescribeAsync(connectionString, baseAddress.ToString(), loadAtStart, ct);
    if (connectionString is not null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var size = new NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
        databaseBytes = (long)(await size.ExecuteScalarAsync(ct))!;
    }

    var report = new BenchReport(
        options.Scale, machine, seed, phases, pgbench, Report.RatiosOf(phases, pgbench), rebuild, databaseBytes,
        service is null ? null : ProcessStats.StatusKilobytes(service.ApiPid, "VmHWM"),
        service is null ? null : ProcessStats.StatusKilobytes(service.ApiPid, "VmRSS"),
        total.Elapsed.TotalSeconds, notes);
    var markdown = Report.Markdown(report);
    Console.WriteLine();
    Console.WriteLine(markdown);
    var json = JsonSerializer.Serialize(report, new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    });
    if (options.JsonPath is { } jsonPath)
    {
        await File.WriteAllTextAsync(jsonPath, json, ct);
        Console.WriteLine($"JSON written to {jsonPath}");
    }

    if (options.MarkdownPath is { } mdPath)
    {
        await File.WriteAllTextAsync(mdPath, markdown, ct);
        Console.WriteLine($"Markdown written to {mdPath}");
    }

    return 0;
}
catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
{
    Console.Error.WriteLine($"benchmark failed: {e}");
    if (service is not null && File.Exists(service.LogPath))
    {
        Console.Error.WriteLine($"--- last lines of {service.LogPath} ---");
        foreach (var line in File.ReadLines(service.LogPath).TakeLast(30))
        {
            Console.Error.WriteLine(line);
        }
    }

    return 1;
}
finally
{
    if (service is not null)
    {
        await service.DisposeAsync();
    }
}

/// <summary>What the run ran on: commit, CPU, memory, PostgreSQL and its durability settings.</summary>
internal static class Machine
{
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    public static async Task<MachineInfo> DescribeAsync(string? connectionString, string target, string loadAtStart, CancellationToken ct)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
        long memory = 0;
        if (File.Exists("/proc/meminfo"))
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            memory = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
        }

        string? version = null, synchronousCommit = null, fsync = null, sharedBuffers = null;
        if (connectionString is not null)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(
                "SELECT version(), current_setting('synchronous_commit'), current_setting('fsync'), current_setting('shared_buffers')", connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            (version, synchronousCommit, fsync, sharedBuffers) = (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
        }

        var commit = await GitAsync("rev-parse HEAD") ?? "?";
        var dirty = !string.IsNullOrWhiteSpace(await GitAsync("status --porcelain --untracked-files=no"));
        return new MachineInfo(commit, dirty, DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            Environment.ProcessorCount, cpu, memory, loadAtStart, LoadAverage(), RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription, version, synchronousCommit, fsync, sharedBuffers, target);
    }

    private static async Task<string?> GitAsync(string arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git", arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = AppContext.BaseDirectory,
            };
            using var git = Process.Start(start)!;
            var output = await git.StandardOutput.ReadToEndAsync();
            await git.WaitForExitAsync();
            return git.ExitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
