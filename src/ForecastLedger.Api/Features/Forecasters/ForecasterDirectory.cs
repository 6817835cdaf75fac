using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain;
using ForecastLedger.Domain.Forecasters;
using ForecastLedger.EventStore;
using Npgsql;

namespace ForecastLedger.Api.Features.Forecasters;

/// <summary>Reads the <c>forecasters</c> table, which <see cref="ForecastersProjection"/> writes with the events.</summary>
public sealed class ForecasterDirectory(LedgerDatabase database, EventStoreOptions options)
{
    private string Table => $"{options.Schema}.forecasters";

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
