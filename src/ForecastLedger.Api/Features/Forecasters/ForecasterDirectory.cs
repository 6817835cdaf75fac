using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain;
using ForecastLedger.Domain.Forecasters;
using ForecastLedger.EventStore;
using Npgsql;

namespace ForecastLedger.Api.Features.Forecasters;

/// <summary>
/// The <c>forecasters</c> table: the lookup by id and the unique handle index. Every write takes the caller's
/// connection, so it commits with the <c>forecaster-{id}</c> event it mirrors. Anything that registers forecasters
/// (the API, a seeder) must call <see cref="InsertAsync"/> in the transaction that appends <see cref="ForecasterRegistered"/>.
/// </summary>
public sealed class ForecasterDirectory(LedgerDatabase database, EventStoreOptions options)
{
    private string Table => $"{options.Schema}.forecasters";

    /// <summary>Inserts the registered forecaster. A taken handle throws the 409 <c>handle-taken</c> rule violation.</summary>
    public async Task InsertAsync(NpgsqlConnection connection, ForecasterRegistered registered, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {Table} (id, handle, display_name, is_bot, registered_at) VALUES ($1, $2, $3, $4, $5)", connection);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = registered.ForecasterId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = registered.Handle });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = registered.DisplayName });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = registered.IsBot });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = registered.RegisteredAt });
        try
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "forecasters_handle_unique")
        {
            throw new DomainRuleViolation("handle-taken", $"The handle '{registered.Handle}' is taken.", RuleKind.Conflict);
        }
    }

    public async Task SetBotFlagAsync(NpgsqlConnection connection, Guid forecasterId, bool isBot, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"UPDATE {Table} SET is_bot = $2 WHERE id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = forecasterId });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = isBot });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<ForecasterProfile?> FindAsync(Guid forecasterId, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand(
            $"SELECT id, handle, display_name, is_bot, registered_at FROM {Table} WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = forecasterId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new ForecasterProfile(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3), reader.GetFieldValue<DateTimeOffset>(4))
            : null;
    }
}
