using System.Text.Json;
using ForecastLedger.Api.Infrastructure.Authentication;
using ForecastLedger.EventStore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// The one mechanism behind <c>Idempotency-Key</c> on every state-changing request (POST, PUT, PATCH, DELETE; ADR 0014).
/// It runs before the endpoint: the key (scoped to the caller) is claimed by inserting its row in a transaction held
/// open while the endpoint runs. A key already recorded with the same request answers with the recorded response
/// (same status, body, ETag and Location, and <c>Idempotent-Replayed: true</c>) and the endpoint never runs, so nothing
/// is decided or appended again; with another request it is a 422 <c>idempotency-key-reused</c>. A concurrent
/// duplicate waits on the claim. Only a successful (2xx) response is recorded: any other response, or an exception,
/// releases the key (that request changed nothing, so running it again is safe).
/// </summary>
public sealed class IdempotentRequests(RequestDelegate next, LedgerDatabase database, EventStoreOptions storeOptions, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    public const string ReplayedHeader = "Idempotent-Replayed";

    private static readonly object ReplayOverride = new();
    private readonly string _table = storeOptions.Schema + ".idempotent_requests";

    /// <summary>
    /// Records another response than the one sent, for a response that holds a secret shown only once (a new API key):
    /// a replay then answers with <paramref name="status"/> and <paramref name="body"/>, never with the secret.
    /// </summary>
    public static void ReplayAs(HttpContext context, int status, object body) => context.Items[ReplayOverride] = (status, body);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!IsStateChanging(request.Method) || !request.Headers.TryGetValue(ScopedIdempotency.Header, out var values) || context.GetEndpoint() is null)
        {
            await next(context);
            return;
        }

        var header = values.ToString();
        if (values.Count != 1 || string.IsNullOrWhiteSpace(header) || header.Length > ScopedIdempotency.MaxKeyLength)
        {
            await WriteProblemAsync(context, ProblemDetailsSetup.Problem(400, "invalid-idempotency-key",
                $"The {ScopedIdempotency.Header} header must be one value of 1 to {ScopedIdempotency.MaxKeyLength} characters."));
            return;
        }

        var key = ScopedIdempotency.For(context, header, await ReadBodyAsync(request, context.RequestAborted));
        var ct = context.RequestAborted;
        await using var connection = await database.Idempotency.OpenConnectionAsync(ct);
        var claim = await connection.BeginTransactionAsync(ct);
        for (var attempt = 1; !await TryClaimAsync(connection, key, ct); attempt++)
        {
            await claim.DisposeAsync();
            if (await TryAnswerFromRecordAsync(context, connection, key, ct))
            {
                return;
            }

            // The record was purged (past its retention) between the claim and the read: the key is free again.
            if (attempt == 3)
            {
                throw new InvalidOperationException("An idempotency record kept vanishing between its claim and its read.");
            }

            claim = await connection.BeginTransactionAsync(ct);
        }

        await using var owned = claim;
        // The claim is held until the response is known; the endpoint sees the key through ScopedIdempotency, so its
        // append records it too (that makes the append itself happen once, even if this record is ever lost). A client
        // that gives up does not cancel the write: it runs to its end and is recorded, so the client's retry replays it
        // instead of finding the state changed behind a missing record.
        context.Items[typeof(IdempotencyKey)] = key;
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        context.RequestAborted = CancellationToken.None;
        try
        {
            await next(context);
            if (context.Response.StatusCode is >= 200 and < 300)
            {
                await RecordAsync(connection, key, context, buffer.ToArray(), CancellationToken.None);
                await owned.CommitAsync(CancellationToken.None);
            }
            else
            {
                await owned.RollbackAsync(CancellationToken.None);
            }
        }
        finally
        {
            context.Response.Body = original;
            context.RequestAborted = ct;
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, ct);
    }

    private static bool IsStateChanging(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        request.EnableBuffering();
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, ct);
        request.Body.Position = 0;
        return body.ToArray();
    }

    /// <summary>
    /// Inserts the key's row, uncommitted. A concurrent request holding the same key blocks this insert until it commits
    /// (then this is a replay) or rolls back (then this request owns the key). The record need not survive a crash (a
    /// lost record only means a retry runs the endpoint, whose append is still once), so its commit does not wait for
    /// the WAL flush.
    /// </summary>
    private async Task<bool> TryClaimAsync(NpgsqlConnection connection, IdempotencyKey key, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL synchronous_commit = off"));
        var insert = new NpgsqlBatchCommand($"""
            INSERT INTO {_table} (key, request_hash, status, body, created) VALUES ($1, $2, 0, ''::bytea, clock_timestamp())
            ON CONFLICT (key) DO NOTHING
            """);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Key });
        insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = key.RequestHash });
        batch.BatchCommands.Add(insert);
        await batch.ExecuteNonQueryAsync(ct);
        return insert.RecordsAffected == 1;
    }

    /// <summary>Answers from the key's record: its response, or a 422 for another request. False when there is no record.</summary>
    private async Task<bool> TryAnswerFromRecordAsync(HttpContext context, NpgsqlConnection connection, IdempotencyKey key, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT request_hash, status, content_type, location, etag, body FROM {_table} WHERE key = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Key });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return false;
        }

        if (!reader.GetFieldValue<byte[]>(0).AsSpan().SequenceEqual(key.RequestHash))
        {
            await WriteProblemAsync(context, IdempotencyProblems.KeyReused());
            return true;
        }

        var response = context.Response;
        response.StatusCode = reader.GetInt32(1);
        response.ContentType = reader.IsDBNull(2) ? null : reader.GetString(2);
        if (!reader.IsDBNull(3))
        {
            response.Headers.Location = reader.GetString(3);
        }

        if (!reader.IsDBNull(4))
        {
            response.Headers.ETag = reader.GetString(4);
        }

        response.Headers[ReplayedHeader] = "true";
        var body = reader.GetFieldValue<byte[]>(5);
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, ct);
        return true;
    }

    private async Task RecordAsync(NpgsqlConnection connection, IdempotencyKey key, HttpContext context, byte[] sent, CancellationToken ct)
    {
        var response = context.Response;
        var (status, body) = context.Items.TryGetValue(ReplayOverride, out var replay) && replay is (int s, object b)
            ? (s, JsonSerializer.SerializeToUtf8Bytes(b, b.GetType(), json.Value.SerializerOptions))
            : (response.StatusCode, sent);
        await using var command = new NpgsqlCommand(
            $"UPDATE {_table} SET status = $2, content_type = $3, location = $4, etag = $5, body = $6 WHERE key = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Key });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = status });
        command.Parameters.Add(Text(response.ContentType));
        command.Parameters.Add(Text(response.Headers.Location.ToString()));
        command.Parameters.Add(Text(response.Headers.ETag.ToString()));
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = body });
        await command.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlParameter Text(string? value) =>
        new() { Value = string.IsNullOrEmpty(value) ? DBNull.Value : value, NpgsqlDbType = NpgsqlDbType.Text };

    private static Task WriteProblemAsync(HttpContext context, Microsoft.AspNetCore.Mvc.ProblemDetails problem)
    {
        context.Response.StatusCode = problem.Status!.Value;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).AsTask();
    }
}
