using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Scoring;
using ForecastLedger.EventStore;
using Npgsql;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>Reads a page of a question's current crowd from the <see cref="CrowdSeriesProjection"/> (ADR 0025).</summary>
public sealed class CrowdSeriesReads(LedgerDatabase database, EventStoreOptions options)
{
    private string Schema => options.Schema;

    /// <summary>
    /// The page at <paramref name="offset"/>, or null when the projection does not stand at <paramref name="version"/>
    /// (it is behind the question's newest forecast, question event or bot flag; the caller then computes the crowd
    /// itself). One statement: the question's state row, checked against the version, and an index range scan of
    /// <paramref name="limit"/> + 1 steps (the extra one ends the page's last step).
    /// </summary>
    public async Task<CrowdPage?> TryPageAsync(
        Guid questionId, CrowdVersion version, string methodName, CrowdAggregation method, bool includeBots, int offset, int limit, CancellationToken ct)
    {
        await using var command = database.HotReads.CreateCommand($"""
            WITH s AS (
                SELECT q.option_count, q.opens_ticks, q.closes_ticks, q.known_ticks,
                       CASE WHEN $2 THEN q.everyone_steps ELSE q.humans_steps END AS steps
                FROM {Schema}.crowd_questions q
                WHERE q.question_id = $1 AND q.question_version = $5 AND q.last_seq = $6
                  AND ($2 OR (SELECT b.digest FROM {Schema}.crowd_bot_set b) = $7)
            )
            SELECT s.option_count, s.opens_ticks, s.closes_ticks, s.known_ticks, s.steps, st.from_ticks, st.forecaster_count,
                   st.probabilities[$8 * s.option_count + 1 : ($8 + 1) * s.option_count]
            FROM s LEFT JOIN LATERAL (
                SELECT c.idx, c.from_ticks, c.forecaster_count, c.probabilities FROM {Schema}.crowd_steps c
                WHERE c.question_id = $1 AND c.with_bots = $2 AND c.idx >= $3 AND c.idx <= $3 + $4
                ORDER BY c.idx
            ) st ON true
            ORDER BY st.idx
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = questionId });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = includeBots });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = offset });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = limit });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = version.QuestionVersion });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = version.LastSeq });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = version.BotDigest ?? string.Empty });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = IndexOf(method) });
        NpgsqlDataReader reader;
        try
        {
            reader = await command.ExecuteReaderAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // A service started on a current schema without `migrate` (which creates the projections' tables) has no
            // crowd tables yet: the crowd is computed as before until it does.
            return null;
        }

        await using var _ = reader;
        var starts = new List<DateTimeOffset>(Math.Min(limit, 512) + 1);
        var counts = new List<int>(starts.Capacity);
        var probabilities = new List<double[]?>(starts.Capacity);
        DateTimeOffset? close = null;
        var steps = 0;
        while (await reader.ReadAsync(ct))
        {
            close ??= new QuestionTimeline(
                new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero),
                new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero),
                reader.IsDBNull(3) ? null : new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero),
                reader.GetInt32(0),
                ResolvedOption: null,
                Annulled: false).EffectiveClose;
            steps = reader.GetInt32(4);
            if (!reader.IsDBNull(5))
            {
                starts.Add(new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero));
                counts.Add(reader.GetInt32(6));
                probabilities.Add(reader.IsDBNull(7) ? null : reader.GetFieldValue<double[]>(7));
            }
        }

        if (close is not { } end)
        {
            return null;
        }

        var items = new CrowdStepResource[Math.Min(starts.Count, limit)];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = new CrowdStepResource(starts[i], i + 1 < starts.Count ? starts[i + 1] : end, counts[i], probabilities[i]);
        }

        return new CrowdPage(questionId, methodName, includeBots, items, OffsetCursor.Next(offset, limit, steps));
    }

    private static int IndexOf(CrowdAggregation method)
    {
        for (var i = 0; i < CrowdMethods.Ordered.Count; i++)
        {
            if (CrowdMethods.Ordered[i] == method)
            {
                return i;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown crowd method.");
    }
}
