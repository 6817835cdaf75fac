using System.Collections.Concurrent;
using ForecastLedger.Domain.Access;
using ForecastLedger.EventStore;
using Npgsql;
using NpgsqlTypes;

namespace ForecastLedger.Api.Infrastructure.Authentication;

/// <summary>
/// The <c>api_keys</c> table and the ledger events that record every change to it. Writes take a connection the caller
/// owns, so the row and its event commit together. Authentication costs one lookup by the unique prefix per request;
/// nothing is cached, so a revocation takes effect on the next request.
/// </summary>
public sealed class ApiKeyStore(LedgerDatabase database, PostgresEventStore store, EventStoreOptions options)
{
    /// <summary><c>last_used_at</c> is written at most this often per key, so authentication stays a read.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private const string Columns = "id, prefix, secret_hash, role, forecaster_id, label, created, created_by, revoked_at, revoked_by, last_used_at";

    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _lastUsedWritten = new();

    private string Table => $"{options.Schema}.api_keys";

    public async Task<ApiKeyRecord?> FindByPrefixAsync(string prefix, CancellationToken ct)
    {
        await using var command = database.HotReads.CreateCommand($"SELECT {Columns} FROM {Table} WHERE prefix = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix });
        return await ReadOneAsync(command, ct);
    }

    public async Task<ApiKeyRecord?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"SELECT {Columns} FROM {Table} WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        return await ReadOneAsync(command, ct);
    }

    /// <summary>Every key, newest first, optionally only those of one forecaster.</summary>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(Guid? forecasterId, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand(
            $"SELECT {Columns} FROM {Table} WHERE $1::uuid IS NULL OR forecaster_id = $1 ORDER BY created DESC, id");
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)forecasterId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        var keys = new List<ApiKeyRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            keys.Add(Read(reader));
        }

        return keys;
    }

    public async Task<bool> HasActiveAdminAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {Table} WHERE role = 'admin' AND revoked_at IS NULL)", connection);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Issues <paramref name="token"/> in the caller's transaction: appends <see cref="ApiKeyIssued"/> to
    /// <c>apikey-{keyId}</c> first (so an idempotent replay writes nothing), then inserts the row. When the result is
    /// <see cref="AppendResult.Replayed"/> nothing was written and the caller should roll back.
    /// </summary>
    public async Task<AppendResult> IssueAsync(
        NpgsqlTransaction transaction, Guid keyId, ApiKeyToken token, string role, Guid? forecasterId, string label, string issuedBy,
        DateTimeOffset now, AppendOptions? appendOptions, CancellationToken ct)
    {
        var issued = new ApiKeyIssued(keyId, token.Prefix, role, forecasterId, label, issuedBy, now);
        var result = await store.AppendInTransactionAsync(transaction, ApiKeyStreams.StreamId(keyId), 0, [issued], appendOptions, ct);
        if (result.Replayed)
        {
            return result;
        }

        await using var command = new NpgsqlCommand($"""
            INSERT INTO {Table} (id, prefix, secret_hash, role, forecaster_id, label, created, created_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, transaction.Connection, transaction);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter<Guid> { TypedValue = keyId });
        p.Add(new NpgsqlParameter<string> { TypedValue = token.Prefix });
        p.Add(new NpgsqlParameter<byte[]> { TypedValue = token.Hash() });
        p.Add(new NpgsqlParameter<string> { TypedValue = role });
        p.Add(new NpgsqlParameter { Value = (object?)forecasterId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        p.Add(new NpgsqlParameter<string> { TypedValue = label });
        p.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        p.Add(new NpgsqlParameter<string> { TypedValue = issuedBy });
        await command.ExecuteNonQueryAsync(ct);
        return result;
    }

    /// <summary>
    /// Revokes a key in the caller's transaction: marks the row and appends <see cref="ApiKeyRevoked"/>.
    /// Returns false when the key was already revoked (nothing is written).
    /// </summary>
    public async Task<bool> RevokeAsync(NpgsqlTransaction transaction, ApiKeyRecord key, string revokedBy, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"UPDATE {Table} SET revoked_at = $2, revoked_by = $3 WHERE id = $1 AND revoked_at IS NULL", transaction.Connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = key.Id });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = revokedBy });
        if (await command.ExecuteNonQueryAsync(ct) == 0)
        {
            return false;
        }

        await store.AppendInTransactionAsync(
            transaction, ApiKeyStreams.StreamId(key.Id), null, [new ApiKeyRevoked(key.Id, key.Prefix, revokedBy, now)],
            new AppendOptions(new EventMetadata(Actor: revokedBy)), ct);
        _lastUsedWritten.TryRemove(key.Id, out _);
        return true;
    }

    /// <summary>Locks the active admin keys' rows and counts them, so two revocations cannot both remove "the other" last admin.</summary>
    public async Task<int> LockActiveAdminsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT id FROM {Table} WHERE role = 'admin' AND revoked_at IS NULL FOR UPDATE", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var count = 0;
        while (await reader.ReadAsync(ct))
        {
            count++;
        }

        return count;
    }

    /// <summary>Records that a key was used, at most once per <see cref="LastUsedResolution"/> per key and process.</summary>
    public async Task TouchAsync(Guid keyId, DateTimeOffset now, CancellationToken ct)
    {
        if (_lastUsedWritten.TryGetValue(keyId, out var last) && now - last < LastUsedResolution)
        {
            return;
        }

        _lastUsedWritten[keyId] = now;
        await using var command = database.DataSource.CreateCommand($"UPDATE {Table} SET last_used_at = $2 WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = keyId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<ApiKeyRecord?> ReadOneAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    private static ApiKeyRecord Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetString(1),
        reader.GetFieldValue<byte[]>(2),
        reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetGuid(4),
        reader.GetString(5),
        reader.GetFieldValue<DateTimeOffset>(6),
        reader.GetString(7),
        reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
        reader.IsDBNull(9) ? null : reader.GetString(9),
        reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10));
}
