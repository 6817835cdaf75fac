namespace ForecastLedger.Bench;

/// <summary>One operation's figures in one phase.</summary>
internal sealed record OperationResult(
    string Operation,
    long Requests,
    long Errors,
    double RequestsPerSecond,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    double MeanMs,
    IReadOnlyDictionary<string, long> ErrorKinds);

/// <summary>The projection's lag as sampled during a phase (every 200 ms from the admin projections endpoint).</summary>
internal sealed record LagResult(
    int Samples,
    long MaxSeqLag,
    double MaxAgeSeconds,
    double P99AgeSeconds,
    long EndSeqLag,
    double EndAgeSeconds,
    double CatchUpSeconds);

/// <summary>One fixed-duration phase at one concurrency.</summary>
internal sealed record PhaseResult(
    string Phase,
    int Clients,
    double Seconds,
    IReadOnlyList<OperationResult> Operations,
    long EventsAppended,
    double ServiceCpuCores,
    double PostgresCpuCores,
    LagResult? Lag);

/// <summary>pgbench at one concurrency with one script.</summary>
internal sealed record PgBenchResult(
    string Script,
    int Clients,
    double Seconds,
    double TransactionsPerSecond,
    double LatencyAverageMs,
    long Transactions,
    long Failed,
    string Description);

/// <summary>
/// The ratios the targets of issue 5 are stated in, per concurrency, and issue 11's: submissions per second with
/// auditors exporting beside the writers over those without (target ≥ 0.5).
/// </summary>
internal sealed record Ratios(
    int Clients,
    double SubmitsPerSecond,
    double? PgBenchAppendsPerSecond,
    double? PgBenchNoLockAppendsPerSecond,
    double? SubmitsOverPgBench,
    double? SubmitsOverPgBenchNoLock,
    double TrivialRequestsPerSecond,
    double LeaderboardOverTrivial,
    double CrowdOverTrivial,
    double SubmitP99Ms,
    double LeaderboardP99Ms,
    double CrowdP99Ms,
    double? LagP99Seconds,
    double? SubmitsWithExportsPerSecond,
    double? SubmitsWithExportsOverSubmits,
    double? ExportsPerSecond);

internal sealed record SeedResult(
    int Forecasters,
    int Questions,
    int ResolvedQuestions,
    long PlannedForecasts,
    long Forecasts,
    double RegisterSeconds,
    double PublishSeconds,
    double ForecastSeconds,
    double ForecastsPerSecond,
    long ForecastErrors,
    double ResolveSeconds,
    double CatchUpSeconds,
    double TotalSeconds,
    int Clients);

internal sealed record RebuildResult(long Events, double ServerMilliseconds, double WallSeconds, double EventsPerSecond, string? Error);

internal sealed record MachineInfo(
    string Commit,
    bool Dirty,
    string Timestamp,
    int Processors,
    string CpuModel,
    long MemoryMegabytes,
    string LoadAverageAtStart,
    string LoadAverageAtEnd,
    string OperatingSystem,
    string DotNet,
    string? PostgresVersion,
    string? SynchronousCommit,
    string? Fsync,
    string? SharedBuffers,
    string Target);

internal sealed record BenchReport(
    string Scale,
    MachineInfo Machine,
    SeedResult Seed,
    IReadOnlyList<PhaseResult> Phases,
    IReadOnlyList<PgBenchResult> PgBench,
    IReadOnlyList<Ratios> Ratios,
    RebuildResult? Rebuild,
    long? DatabaseBytes,
    long? ServicePeakMemoryKb,
    long? ServiceEndMemoryKb,
    double TotalSeconds,
    IReadOnlyList<string> Notes);
