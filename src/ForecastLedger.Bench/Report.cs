using System.Globalization;
using System.Text;

namespace ForecastLedger.Bench;

/// <summary>The human-readable table (console and Markdown) and the ratios the targets of issue 5 are stated in.</summary>
internal static class Report
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void PrintPhase(PhaseResult phase)
    {
        foreach (var op in phase.Operations)
        {
            Console.WriteLine(string.Create(Invariant,
                $"{phase.Phase,-11} c={phase.Clients,-3} {op.Operation,-11} {op.RequestsPerSecond,9:0} req/s  p50 {op.P50Ms,7:0.00}  p95 {op.P95Ms,7:0.00}  p99 {op.P99Ms,7:0.00} ms  errors {op.Errors}{Kinds(op)}"));
        }

        Console.WriteLine(string.Create(Invariant,
            $"{string.Empty,-17}cpu: service {phase.ServiceCpuCores:0.00} cores, postgres {phase.PostgresCpuCores:0.00} cores{LagText(phase)}"));
    }

    private static string Kinds(OperationResult op) =>
        op.ErrorKinds.Count == 0 ? string.Empty : " (" + string.Join(", ", op.ErrorKinds.Select(k => $"{k.Key}: {k.Value}")) + ")";

    private static string LagText(PhaseResult phase) => phase.Lag is not { } lag
        ? string.Empty
        : string.Create(Invariant,
            $"; {phase.EventsAppended} events appended; lag max {lag.MaxSeqLag} seq / {lag.MaxAgeSeconds:0.000} s, p99 {lag.P99AgeSeconds:0.000} s, at end {lag.EndSeqLag} seq, caught up {lag.CatchUpSeconds:0.00} s after");

    public static IReadOnlyList<Ratios> RatiosOf(IReadOnlyList<PhaseResult> phases, IReadOnlyList<PgBenchResult> pgbench) =>
        [.. phases.Select(p => p.Clients).Distinct().Select(c =>
        {
            OperationResult? Op(string phase, string op) => phases.FirstOrDefault(p => p.Clients == c && p.Phase == phase)?.Operations.FirstOrDefault(o => o.Operation == op);
            var submit = Op("submit", Workload.Submit);
            var trivial = Op("trivial", Workload.Trivial);
            var leaderboard = Op("leaderboard", Workload.Leaderboard);
            var crowd = Op("crowd", Workload.Crowd);
            var locked = pgbench.FirstOrDefault(b => b.Clients == c && b.Script == PgBench.WithLock)?.TransactionsPerSecond;
            var unlocked = pgbench.FirstOrDefault(b => b.Clients == c && b.Script == PgBench.WithoutLock)?.TransactionsPerSecond;
            var submits = submit?.RequestsPerSecond ?? 0;
            var withExports = Op(Workload.SubmitWithExports, Workload.Submit)?.RequestsPerSecond;
            var exports = Op(Workload.SubmitWithExports, Workload.Export)?.RequestsPerSecond;
            var trivialRps = trivial?.RequestsPerSecond ?? 0;
            return new Ratios(c, submits, locked, unlocked, locked > 0 ? submits / locked : null, unlocked > 0 ? submits / unlocked : null,
                trivialRps, trivialRps > 0 ? (leaderboard?.RequestsPerSecond ?? 0) / trivialRps : 0, trivialRps > 0 ? (crowd?.RequestsPerSecond ?? 0) / trivialRps : 0,
                submit?.P99Ms ?? 0, leaderboard?.P99Ms ?? 0, crowd?.P99Ms ?? 0,
                phases.FirstOrDefault(p => p.Clients == c && p.Phase == "submit")?.Lag?.P99AgeSeconds,
                withExports, withExports is { } w && submits > 0 ? w / submits : null, exports);
        })];

    public static string Markdown(BenchReport r)
    {
        var s = new StringBuilder();
        void Line(FormattableString text) => s.AppendLine(text.ToString(Invariant));
        var m = r.Machine;
        Line($"# ForecastLedger benchmark: {r.Scale} scale, {m.Timestamp}");
        s.AppendLine();
        Line($"- Commit `{m.Commit}`{(m.Dirty ? " (with uncommitted changes)" : string.Empty)}; target {m.Target}; total run {r.TotalSeconds:0} s");
        Line($"- Machine: {m.Processors} CPUs ({m.CpuModel}), {m.MemoryMegabytes:N0} MB RAM, {m.OperatingSystem}, {m.DotNet}");
        Line($"- Load average at start / end: {m.LoadAverageAtStart} / {m.LoadAverageAtEnd} (the machine may be shared)");
        Line($"- PostgreSQL: {m.PostgresVersion ?? "n/a"}; synchronous_commit={m.SynchronousCommit ?? "?"}, fsync={m.Fsync ?? "?"}, shared_buffers={m.SharedBuffers ?? "?"}");
        s.AppendLine();
        var seed = r.Seed;
        s.AppendLine("## Seeding (through the API)");
        s.AppendLine();
        if (seed.PlannedForecasts == 0)
        {
            Line($"None: this run measured the data an earlier run kept (see the notes): {seed.Questions:N0} benchmark questions, {seed.ResolvedQuestions:N0} of them resolved; {seed.Forecasters:N0} fresh forecasters registered for the submissions in {seed.RegisterSeconds:0.0} s.");
            if (seed.Forecasts > 0)
            {
                Line($"Topped up with {seed.Forecasts:N0} forecasts by those forecasters on open questions in {seed.ForecastSeconds:0.0} s (**{seed.ForecastsPerSecond:0} forecasts/s** with {seed.Clients} clients, {seed.ForecastErrors} errors).");
            }
        }
        else
        {
            Line($"{seed.Forecasters:N0} forecasters (self-registration) in {seed.RegisterSeconds:0.0} s; {seed.Questions:N0} questions in {seed.PublishSeconds:0.0} s; {seed.Forecasts:N0} forecasts (planned {seed.PlannedForecasts:N0}) in {seed.ForecastSeconds:0.0} s (**{seed.ForecastsPerSecond:0} forecasts/s** with {seed.Clients} clients, {seed.ForecastErrors} errors); {seed.ResolvedQuestions} questions resolved in {seed.ResolveSeconds:0.0} s; projections caught up {seed.CatchUpSeconds:0.0} s later. Total {seed.TotalSeconds:0.0} s.");
        }

        s.AppendLine();
        s.AppendLine("## Phases (HTTP, fixed duration, C concurrent clients)");
        s.AppendLine();
        s.AppendLine("| phase | C | operation | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | service CPU (cores) | postgres CPU (cores) |");
        s.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in r.Phases)
        {
            foreach (var op in p.Operations)
            {
                Line($"| {p.Phase} | {p.Clients} | {op.Operation} | {op.RequestsPerSecond:0} | {op.P50Ms:0.00} | {op.P95Ms:0.00} | {op.P99Ms:0.00} | {op.MaxMs:0.0} | {op.Errors}{Kinds(op)} | {p.ServiceCpuCores:0.00} | {p.PostgresCpuCores:0.00} |");
            }
        }

        s.AppendLine();
        s.AppendLine("## Projection lag and events appended (phases with writes)");
        s.AppendLine();
        s.AppendLine("| phase | C | events appended | lag max (seq) | lag max (s) | lag p99 (s) | lag at end (seq) | caught up after (s) |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in r.Phases.Where(p => p.Lag is not null))
        {
            var l = p.Lag!;
            Line($"| {p.Phase} | {p.Clients} | {p.EventsAppended:N0} | {l.MaxSeqLag} | {l.MaxAgeSeconds:0.000} | {l.P99AgeSeconds:0.000} | {l.EndSeqLag} | {l.CatchUpSeconds:0.00} |");
        }

        s.AppendLine();
        s.AppendLine("## The limit: pgbench on the same server, same concurrency");
        s.AppendLine();
        s.AppendLine("| script | C | tps | latency avg ms | failed |");
        s.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var b in r.PgBench)
        {
            Line($"| {b.Script} | {b.Clients} | {b.TransactionsPerSecond:0} | {b.LatencyAverageMs:0.00} | {b.Failed} |");
        }

        s.AppendLine();
        s.AppendLine("## Ratios (issue 5 targets)");
        s.AppendLine();
        s.AppendLine("| C | submits/s | pgbench appends/s (lock) | ratio (target ≥ 2.0 at 64) | pgbench no lock | ratio | trivial req/s | leaderboard ÷ trivial (≥ 0.5) | crowd ÷ trivial (≥ 0.5) | submit p99 ms (≤ 50 at 16) | leaderboard p99 ms (≤ 20) | crowd p99 ms (≤ 20) | lag p99 s (≤ 1) |");
        s.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var x in r.Ratios)
        {
            Line($"| {x.Clients} | {x.SubmitsPerSecond:0} | {Opt(x.PgBenchAppendsPerSecond, "0")} | {Opt(x.SubmitsOverPgBench, "0.00")} | {Opt(x.PgBenchNoLockAppendsPerSecond, "0")} | {Opt(x.SubmitsOverPgBenchNoLock, "0.00")} | {x.TrivialRequestsPerSecond:0} | {x.LeaderboardOverTrivial:0.000} | {x.CrowdOverTrivial:0.000} | {x.SubmitP99Ms:0.0} | {x.LeaderboardP99Ms:0.0} | {x.CrowdP99Ms:0.0} | {Opt(x.LagP99Seconds, "0.000")} |");
        }

        s.AppendLine();
        s.AppendLine("## Writers beside exports (issue 11 target: writers keep ≥ 0.5 of their throughput)");
        s.AppendLine();
        s.AppendLine("| C | submits/s alone | submits/s with exports | ratio | full exports/s |");
        s.AppendLine("|---:|---:|---:|---:|---:|");
        foreach (var x in r.Ratios)
        {
            Line($"| {x.Clients} | {x.SubmitsPerSecond:0} | {Opt(x.SubmitsWithExportsPerSecond, "0")} | {Opt(x.SubmitsWithExportsOverSubmits, "0.00")} | {Opt(x.ExportsPerSecond, "0.00")} |");
        }

        s.AppendLine();
        s.AppendLine("## Rebuild, size, memory");
        s.AppendLine();
        if (r.Rebuild is { } rb)
        {
            Line($"- Rebuild of question_scores (target ≥ 100,000 events/s): {(rb.Error is null ? $"{rb.Events:N0} events in {rb.ServerMilliseconds / 1000:0.00} s = **{rb.EventsPerSecond:N0} events/s**" : rb.Error)}");
        }

        Line($"- Database size: {(r.DatabaseBytes is { } b2 ? $"{b2 / 1048576.0:N0} MB" : "n/a")}");
        Line($"- Service memory: peak RSS (VmHWM) {(r.ServicePeakMemoryKb is { } hw ? $"{hw / 1024.0:N0} MB" : "n/a")}, at end {(r.ServiceEndMemoryKb is { } rss ? $"{rss / 1024.0:N0} MB" : "n/a")} (target ≤ 512 MB)");
        foreach (var note in r.Notes)
        {
            Line($"- {note}");
        }

        return s.ToString();
    }

    private static string Opt(double? value, string format) => value is { } v && !double.IsNaN(v) ? v.ToString(format, Invariant) : "n/a";
}
