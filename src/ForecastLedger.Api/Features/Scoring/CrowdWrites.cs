using ForecastLedger.Domain.Scoring;
using Npgsql;
using NpgsqlTypes;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>The crowd projection's step rows for a set of questions, sent set-based.</summary>
internal sealed class CrowdWrites
{
    private readonly List<(Guid Question, bool WithBots, CrowdRow Row)> _steps = [];

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

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(ct);
        }
    }
}
