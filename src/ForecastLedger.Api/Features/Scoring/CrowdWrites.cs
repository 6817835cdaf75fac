using ForecastLedger.Domain.Scoring;
using Npgsql;
using NpgsqlTypes;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>The crowd projection's row writes for a set of questions, sent set-based (one statement per table).</summary>
internal sealed class CrowdWrites
{
    private readonly List<(Guid Question, bool WithBots, CrowdRow Row)> _steps = [];
    private readonly List<(Guid Question, CrowdStanding Standing)> _standing = [];
    private readonly List<(Guid Question, Guid Forecaster)> _gone = [];

    /// <summary>Step rows to insert or overwrite, per participant set.</summary>
    public void Steps(Guid question, IReadOnlyList<CrowdRow>[] rows)
    {
        foreach (var set in new[] { CrowdFold.HumansOnly, CrowdFold.WithBots })
        {
            foreach (var row in rows[set])
            {
                _steps.Add((question, set == CrowdFold.WithBots, row));
            }
        }
    }

    /// <summary>Standing forecasts to insert or overwrite.</summary>
    public void Standing(Guid question, IEnumerable<CrowdStanding> standing) => _standing.AddRange(standing.Select(s => (question, s)));

    /// <summary>Forecasters who no longer stand (withdrawn).</summary>
    public void Gone(Guid question, IEnumerable<string> forecasters) => _gone.AddRange(forecasters.Select(f => (question, Guid.Parse(f))));

    public async Task FlushAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        // Large recomputations go in slices, so no single statement carries an unbounded parameter array.
        foreach (var slice in _steps.Chunk(5_000))
        {
            var command = new NpgsqlBatchCommand($"""
                INSERT INTO {schema}.crowd_steps (question_id, with_bots, idx, from_ticks, forecaster_count, probabilities)
                SELECT q, b, i, f, c, p::double precision[] FROM unnest($1::uuid[], $2::boolean[], $3::integer[], $4::bigint[], $5::integer[], $6::text[])
                    AS u(q, b, i, f, c, p)
                ON CONFLICT (question_id, with_bots, idx) DO UPDATE SET
                    from_ticks = excluded.from_ticks, forecaster_count = excluded.forecaster_count, probabilities = excluded.probabilities
                """);
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. slice.Select(s => s.Question)] });
            command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = [.. slice.Select(s => s.WithBots)] });
            command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. slice.Select(s => s.Row.Index)] });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. slice.Select(s => s.Row.From.UtcTicks)] });
            command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. slice.Select(s => s.Row.ForecasterCount)] });
            command.Parameters.Add(new NpgsqlParameter
            {
                Value = slice.Select(s => CrowdSeriesProjection.DoubleArray(s.Row.Probabilities)).ToArray(),
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text,
            });
            batch.BatchCommands.Add(command);
        }

        foreach (var slice in _standing.Chunk(5_000))
        {
            var command = new NpgsqlBatchCommand($"""
                INSERT INTO {schema}.crowd_standing (question_id, forecaster_id, is_bot, permille, since_ticks, seq)
                SELECT q, f, b, p::integer[], t, s FROM unnest($1::uuid[], $2::uuid[], $3::boolean[], $4::text[], $5::bigint[], $6::bigint[])
                    AS u(q, f, b, p, t, s)
                ON CONFLICT (question_id, forecaster_id) DO UPDATE SET
                    is_bot = excluded.is_bot, permille = excluded.permille, since_ticks = excluded.since_ticks, seq = excluded.seq
                """);
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. slice.Select(s => s.Question)] });
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. slice.Select(s => Guid.Parse(s.Standing.Entry.ForecasterId))] });
            command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = [.. slice.Select(s => s.Standing.IsBot)] });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. slice.Select(s => "{" + string.Join(',', s.Standing.Entry.Permille) + "}")] });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. slice.Select(s => s.Standing.Entry.Since.UtcTicks)] });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. slice.Select(s => s.Standing.Entry.Seq)] });
            batch.BatchCommands.Add(command);
        }

        if (_gone.Count > 0)
        {
            var command = new NpgsqlBatchCommand($"""
                DELETE FROM {schema}.crowd_standing s USING unnest($1::uuid[], $2::uuid[]) AS u(q, f)
                WHERE s.question_id = u.q AND s.forecaster_id = u.f
                """);
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. _gone.Select(g => g.Question)] });
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. _gone.Select(g => g.Forecaster)] });
            batch.BatchCommands.Add(command);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(ct);
        }
    }
}
