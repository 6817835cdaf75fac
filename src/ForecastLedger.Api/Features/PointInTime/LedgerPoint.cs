using System.Collections.Concurrent;
using System.Globalization;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace ForecastLedger.Api.Features.PointInTime;

/// <summary>
/// A position in the ledger to read at: every event with a seq up to <see cref="Seq"/>, with the clock at
/// <see cref="At"/> for anything the schedule decides (a question's status, when histories turn public).
/// </summary>
/// <param name="Seq">The last ledger position included.</param>
/// <param name="At">The instant the read is evaluated at: <c>asOf</c> itself, or the timestamp of the event at <c>atSeq</c>.</param>
/// <param name="ByTime">True when the point came from <c>asOf</c> (its ETag then names the instant too).</param>
public sealed record LedgerPoint(long Seq, DateTimeOffset At, bool ByTime)
{
    /// <summary>A strong ETag: the response at a point never changes.</summary>
    public string ETag => ByTime ? $"\"p{Seq}-t{At.UtcTicks}\"" : $"\"p{Seq}\"";
}

/// <summary>Turns <c>asOf</c> / <c>atSeq</c> query parameters into a <see cref="LedgerPoint"/> (ADR 0008).</summary>
public sealed class PointInTimeResolver(LedgerDatabase database, EventStoreOptions options, TimeProvider clock)
{
    /// <summary>
    /// How far an event's timestamp may trail its seq: the append takes its timestamp before it takes the global-order
    /// lock, so a later seq may carry a slightly earlier timestamp. <c>asOf</c> looks this far back for the largest seq.
    /// </summary>
    public static readonly TimeSpan TimestampSkew = TimeSpan.FromMinutes(5);

    private string Schema => options.Schema;

    /// <summary>The point a request asks for: null for the current state; a problem for a bad, ambiguous or future point.</summary>
    public async Task<(LedgerPoint? Point, ProblemDetails? Problem)> ResolveAsync(string? asOf, long? atSeq, CancellationToken ct)
    {
        if (asOf is not null && atSeq is not null)
        {
            return (null, ProblemDetailsSetup.Problem(400, "ambiguous-point-in-time", "Give asOf or atSeq, not both."));
        }

        LedgerPoint? point = null;
        if (atSeq is { } seq)
        {
            if (seq < 0)
            {
                return (null, ProblemDetailsSetup.Problem(400, "invalid-at-seq", "atSeq must be zero or a positive ledger position."));
            }

            var head = await HeadAsync(ct);
            if (seq > head)
            {
                return (null, ProblemDetailsSetup.Problem(400, "at-seq-beyond-head",
                    $"atSeq {seq} is beyond the ledger's last position, {head}; the future cannot be read."));
            }

            point = new LedgerPoint(seq, await TimestampAtAsync(seq, ct), ByTime: false);
        }
        else if (asOf is not null)
        {
            if (!TryParseTimestamp(asOf, out var at))
            {
                return (null, ProblemDetailsSetup.Problem(400, "invalid-as-of", "asOf must be an RFC 3339 timestamp with an offset, e.g. 2026-01-31T12:00:00Z."));
            }

            if (at > clock.GetUtcNow())
            {
                return (null, ProblemDetailsSetup.Problem(400, "as-of-in-the-future", $"asOf {asOf} is in the future; the future cannot be read."));
            }

            at = at.ToUniversalTime();
            point = new LedgerPoint(await SeqAtAsync(at, ct), at, ByTime: true);
        }

        return (point, null);
    }

    /// <summary>RFC 3339: a date, a time and an explicit offset (<c>Z</c> or <c>±hh:mm</c>).</summary>
    public static bool TryParseTimestamp(string text, out DateTimeOffset at)
    {
        at = default;
        var t = text.IndexOfAny(['T', 't', ' ']);
        var tail = t < 0 ? "" : text[(t + 1)..];
        var hasOffset = tail.EndsWith('Z') || tail.EndsWith('z') || tail.LastIndexOfAny(['+', '-']) > 0;
        return t == 10 && hasOffset
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out at);
    }

    private async Task<long> HeadAsync(CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"SELECT coalesce(max(seq_id), 0) FROM {Schema}.events");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The timestamp of the last event at or before <paramref name="seq"/> (seqs can have gaps).</summary>
    private async Task<DateTimeOffset> TimestampAtAsync(long seq, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand(
            $"SELECT \"timestamp\" FROM {Schema}.events WHERE seq_id <= $1 ORDER BY seq_id DESC LIMIT 1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
        return await command.ExecuteScalarAsync(ct) is DateTime at
            ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc))
            : DateTimeOffset.UnixEpoch;
    }

    /// <summary>The largest seq recorded at or before <paramref name="at"/>: two short scans of <c>events_timestamp</c>.</summary>
    private async Task<long> SeqAtAsync(DateTimeOffset at, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            SELECT coalesce(greatest(
                (SELECT max(seq_id) FROM {Schema}.events WHERE "timestamp" <= $1 AND "timestamp" > $1 - $2::interval),
                (SELECT seq_id FROM {Schema}.events WHERE "timestamp" <= $1 ORDER BY "timestamp" DESC, seq_id DESC LIMIT 1)), 0)
            """);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = at });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = TimestampSkew });
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}

/// <summary>Response headers for reads at a point: a strong ETag and a year of immutable caching.</summary>
public static class PointCaching
{
    public const string Immutable = "public, max-age=31536000, immutable";

    /// <summary>Sets the headers; true when <c>If-None-Match</c> already names the point (answer 304).</summary>
    public static bool NotModified(HttpContext context, LedgerPoint point)
    {
        context.Response.Headers.ETag = point.ETag;
        context.Response.Headers.CacheControl = Immutable;
        var match = context.Request.Headers.IfNoneMatch.ToString();
        return !string.IsNullOrEmpty(match) && (match.Trim() == "*" || match.Split(',').Any(m => m.Trim() == point.ETag));
    }
}

/// <summary>
/// A small in-process cache of computed results, bounded by entry count (cleared when full): results at a point never
/// change, and current results are keyed by their ETag, so an entry is never stale, only evicted. Concurrent misses on
/// one key share one computation: after a score change, 64 leaderboard readers must not run 64 totals queries.
/// </summary>
public sealed class ReadCache
{
    public const int Capacity = 256;

    private readonly ConcurrentDictionary<string, Task<object>> _entries = new(StringComparer.Ordinal);

    /// <summary>The cached value for <paramref name="key"/>, computing and keeping it on a miss (once for all concurrent callers).</summary>
    /// <remarks>
    /// A failed computation is not kept: its callers see the exception and the next caller computes again. Callers that
    /// were only waiting on a computation cancelled by another request's token compute again themselves.
    /// </remarks>
    public async Task<T> GetOrAddAsync<T>(string key, Func<Task<T>> compute)
        where T : class
    {
        while (true)
        {
            if (_entries.TryGetValue(key, out var pending))
            {
                try
                {
                    if (await pending is T value)
                    {
                        return value;
                    }
                }
                catch (OperationCanceledException)
                {
                    // Another request's computation was cancelled with that request; this one computes afresh.
                    continue;
                }

                _entries.TryRemove(new KeyValuePair<string, Task<object>>(key, pending));
                continue;
            }

            var mine = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_entries.Count >= Capacity)
            {
                _entries.Clear();
            }

            if (!_entries.TryAdd(key, mine.Task))
            {
                continue;
            }

            try
            {
                var computed = await compute();
                mine.SetResult(computed);
                return computed;
            }
            catch (Exception e)
            {
                _entries.TryRemove(new KeyValuePair<string, Task<object>>(key, mine.Task));
                if (e is OperationCanceledException)
                {
                    mine.SetCanceled();
                }
                else
                {
                    mine.SetException(e);
                }

                throw;
            }
        }
    }
}

/// <summary>PostgreSQL's uuid order (bytes in RFC 4122 order), so pages computed in memory match pages read with ORDER BY.</summary>
public sealed class PgUuidOrder : IComparer<Guid>
{
    public static readonly PgUuidOrder Instance = new();

    public int Compare(Guid x, Guid y)
    {
        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        x.TryWriteBytes(a, bigEndian: true, out _);
        y.TryWriteBytes(b, bigEndian: true, out _);
        return a.SequenceCompareTo(b);
    }
}
