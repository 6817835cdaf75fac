using System.Globalization;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace ForecastLedger.Api.Features.PointInTime;

/// <summary>Turns <c>asOf</c> / <c>atSeq</c> query parameters into a <see cref="LedgerPoint"/> (ADR 0008).</summary>
public sealed class PointInTimeResolver(LedgerDatabase database, EventStoreOptions options, TimeProvider clock)
{
    /// <summary>
    /// How far an event's timestamp may trail its seq: the append takes its timestamp before it draws its seq, and
    /// concurrent appends draw at once, so a later seq may carry a slightly earlier timestamp. <c>asOf</c> looks this far back for the largest seq.
    /// </summary>
    public static readonly TimeSpan TimestampSkew = TimeSpan.FromMinutes(5);

    /// <summary>How long a read at a just-acknowledged position waits for the sequencer to reach it.</summary>
    public static readonly TimeSpan SequencingWait = TimeSpan.FromSeconds(5);

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
            if (seq > head && await LedgerSequencing.WaitAsync(database.DataSource, Schema, seq, SequencingWait, ct))
            {
                // A position a writer was just given is committed but may not be sequenced yet (docs/adr/0024).
                head = await HeadAsync(ct);
            }

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
