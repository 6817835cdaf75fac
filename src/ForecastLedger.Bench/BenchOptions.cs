using System.Globalization;

namespace ForecastLedger.Bench;

/// <summary>Command-line options; <c>--help</c> prints them.</summary>
internal sealed record BenchOptions
{
    public string Scale { get; init; } = "small";
    public Uri? Url { get; init; }
    public string? AdminKey { get; init; }
    public string? PostgresConnection { get; init; }
    public string Schema { get; init; } = "ledger";
    public int[] Clients { get; init; } = [16, 64];
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(2);
    public int Forecasters { get; init; } = 100;
    public int Questions { get; init; } = 20;
    public long Forecasts { get; init; } = 1_000;
    public int SeedClients { get; init; } = 32;

    /// <summary>Auditor clients looping full exports in the <c>submit+exports</c> phase.</summary>
    public int Exporters { get; init; } = 4;
    public TimeSpan? SeedBudget { get; init; }
    public string? JsonPath { get; init; }
    public string? MarkdownPath { get; init; }
    public bool Keep { get; init; }
    public bool SkipPgBench { get; init; }
    public bool SkipRebuild { get; init; }

    /// <summary>A kept run's folder (<c>--keep</c>) to measure again without seeding.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>With <c>--data</c>: forecasts to add through the API before measuring.</summary>
    public long TopUp { get; init; }

    public const string Usage = """
        ForecastLedger.Bench: benchmark the real service beside the machine's own limit (pgbench).

          dotnet run -c Release --project src/ForecastLedger.Bench -- --scale small

        --scale small|large     presets: small = 100 forecasters, 20 questions, 1,000 forecasts, 2 s phases (< 60 s);
                                large = 10,000 forecasters, 1,000 questions, 1,000,000 forecasts, 20 s phases
        --url URL               target a running service instead of starting one (needs --admin-key or
                                FORECASTLEDGER_ADMIN_KEY; its registration rate limit must allow the seeding)
        --admin-key KEY         the service's admin key (with --url)
        --pg CONNECTION         with --url: the service's PostgreSQL, for pgbench and the database size
        --schema NAME           with --pg: the ledger's schema (default ledger)
        --clients 16,64         concurrencies to run every phase at
        --duration SECONDS      length of each phase
        --forecasters N --questions M --forecasts K --seed-clients C   override the scale's seeding
        --exporters N           auditor clients looping full exports beside the writers in the submit+exports phase
                                (default 4)
        --seed-seconds S        stop posting forecasts after S seconds and go on with what was seeded (the report
                                shows planned and seeded counts and the rate, so the time for the full count can be read)
        --json PATH             write the report as JSON
        --md PATH               write the report as Markdown (the table, machine and commit)
        --skip-pgbench --skip-rebuild --keep (keep the data folder)
        --data DIR              measure again on a kept run's folder (--keep prints it) without seeding: starts this
                                build of the service on that cluster, registers fresh forecasters for the submissions and
                                reads the questions there; needs the admin key that run used (--admin-key or
                                FORECASTLEDGER_ADMIN_KEY), which the kept run wrote to DIR/admin.key
        --top-up K              with --data: first post K more forecasts through the API (fresh forecasters, open
                                questions), to bring a kept history up to a scale
        """;

    public static BenchOptions Parse(string[] args)
    {
        var scale = "small";
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--scale")
            {
                scale = args[i + 1];
            }
        }

        var options = scale switch
        {
            "small" => new BenchOptions(),
            "large" => new BenchOptions
            {
                Scale = "large",
                Forecasters = 10_000,
                Questions = 1_000,
                Forecasts = 1_000_000,
                Duration = TimeSpan.FromSeconds(20),
                SeedClients = 64,
            },
            _ => throw new ArgumentException($"--scale must be small or large, not '{scale}'."),
        };

        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--scale" => Skip(options, Next()),
                "--url" => options with { Url = new Uri(Next()) },
                "--admin-key" => options with { AdminKey = Next() },
                "--pg" => options with { PostgresConnection = Next() },
                "--schema" => options with { Schema = Next() },
                "--clients" => options with { Clients = [.. Next().Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))] },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--forecasters" => options with { Forecasters = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--questions" => options with { Questions = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--forecasts" => options with { Forecasts = long.Parse(Next(), CultureInfo.InvariantCulture) },
                "--seed-clients" => options with { SeedClients = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--exporters" => options with { Exporters = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--seed-seconds" => options with { SeedBudget = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--json" => options with { JsonPath = Next() },
                "--md" => options with { MarkdownPath = Next() },
                "--keep" => options with { Keep = true },
                "--skip-pgbench" => options with { SkipPgBench = true },
                "--skip-rebuild" => options with { SkipRebuild = true },
                "--data" => options with { DataDirectory = Next(), Keep = true },
                "--top-up" => options with { TopUp = long.Parse(Next(), CultureInfo.InvariantCulture) },
                var other => throw new ArgumentException($"Unknown option '{other}'."),
            };
        }

        if (options.Questions < 2 || options.Forecasters < 1 || options.Clients.Length == 0 || options.Clients.Any(c => c < 1) || options.Exporters < 0)
        {
            throw new ArgumentException("Need at least 2 questions, 1 forecaster, positive client counts and no negative exporters.");
        }

        return options;
    }

    private static BenchOptions Skip(BenchOptions options, string _) => options;
}
