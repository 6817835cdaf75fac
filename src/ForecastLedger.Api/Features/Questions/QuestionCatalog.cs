using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain;
using ForecastLedger.Domain.Questions;
using ForecastLedger.EventStore;
using Npgsql;
using NpgsqlTypes;

namespace ForecastLedger.Api.Features.Questions;

/// <summary>
/// Reads and writes questions: the stream is the truth; the <c>questions</c> table is its inline read model,
/// written in the same transaction as the events.
/// </summary>
public sealed class QuestionCatalog(PostgresEventStore store, LedgerDatabase database)
{
    private static readonly JsonSerializerOptions Json = EventStoreOptions.DefaultJson;

    private string Schema => store.Options.Schema;

    // Group commit (ADR 0007): caches for the forecast write path. See ResolveIdCachedAsync and LoadForDecisionAsync.
    private const int MaxCached = 10_000;
    private readonly ConcurrentDictionary<string, Guid> _idsBySlug = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, LoadedQuestion> _forDecision = new();

    /// <summary>
    /// <see cref="ResolveIdAsync"/> with a cache of slugs found: a slug is fixed when its question is published and a
    /// question is never deleted, so a found slug never changes meaning. Unknown slugs are not cached (they may be
    /// published later).
    /// </summary>
    public async Task<Guid?> ResolveIdCachedAsync(string idOrSlug, CancellationToken ct)
    {
        if (Guid.TryParse(idOrSlug, out var id))
        {
            return id;
        }

        if (_idsBySlug.TryGetValue(idOrSlug, out id))
        {
            return id;
        }

        var found = await ResolveIdAsync(idOrSlug, ct);
        if (found is { } resolved)
        {
            Remember(_idsBySlug, idOrSlug, resolved);
        }

        return found;
    }

    /// <summary>
    /// The question as last loaded for a decision, possibly stale. Safe only with a guard: the write that uses it must
    /// carry <c>StreamGuard(Question.StreamId(id), loaded.Version)</c>, which the append re-checks under a share lock on
    /// the question's stream row, and on a mismatch call <see cref="ReloadForDecisionAsync"/> and decide again.
    /// Unknown questions are not cached.
    /// </summary>
    public async Task<LoadedQuestion> LoadForDecisionAsync(Guid questionId, CancellationToken ct) =>
        _forDecision.TryGetValue(questionId, out var cached) ? cached : await ReloadForDecisionAsync(questionId, ct);

    /// <summary>Loads the question afresh and caches it for <see cref="LoadForDecisionAsync"/>.</summary>
    public async Task<LoadedQuestion> ReloadForDecisionAsync(Guid questionId, CancellationToken ct)
    {
        _forDecision.TryRemove(questionId, out _);
        var loaded = await LoadAsync(questionId, ct);
        if (loaded.View is not null)
        {
            Remember(_forDecision, questionId, loaded);
        }

        return loaded;
    }

    private static void Remember<TKey, TValue>(ConcurrentDictionary<TKey, TValue> cache, TKey key, TValue value)
        where TKey : notnull
    {
        if (cache.Count >= MaxCached)
        {
            cache.Clear();
        }

        cache[key] = value;
    }

    /// <summary>Folds the question stream into its decision state and its view.</summary>
    public async Task<LoadedQuestion> LoadAsync(Guid questionId, CancellationToken ct)
    {
        var events = await store.FetchStreamAsync(Question.StreamId(questionId), null, ct);
        Question state = Question.Initial;
        QuestionView? view = null;
        foreach (var e in events)
        {
            state = Question.Evolve(state, e.Data);
            view = QuestionView.Evolve(view, e.Data, e.Version);
        }

        return new LoadedQuestion(state, view, events.Count == 0 ? 0 : events[^1].Version);
    }

    /// <summary>Resolves a route value that is either a question id or a slug.</summary>
    public async Task<Guid?> ResolveIdAsync(string idOrSlug, CancellationToken ct)
    {
        if (Guid.TryParse(idOrSlug, out var id))
        {
            return id;
        }

        await using var command = database.DataSource.CreateCommand($"SELECT id FROM {Schema}.questions WHERE slug = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = idOrSlug });
        return await command.ExecuteScalarAsync(ct) as Guid?;
    }

    /// <summary>One question's read model, or null.</summary>
    public async Task<QuestionView?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var command = database.HotReads.CreateCommand($"SELECT document::text FROM {Schema}.questions WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        return await command.ExecuteScalarAsync(ct) is string json ? JsonSerializer.Deserialize<QuestionView>(json, Json) : null;
    }

    /// <summary>Every published slug: what the seeder must not publish again.</summary>
    public async Task<IReadOnlyList<string>> SlugsAsync(CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"SELECT slug FROM {Schema}.questions");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var slugs = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            slugs.Add(reader.GetString(0));
        }

        return slugs;
    }

    /// <summary>A page of questions in (closesAt, id) order, filtered by status (as of <paramref name="now"/>) and tag.</summary>
    public async Task<(IReadOnlyList<QuestionView> Items, string? NextCursor)> ListAsync(
        string? status, string? tag, QuestionCursor? after, int limit, DateTimeOffset now, CancellationToken ct)
    {
        var sql = new StringBuilder($"SELECT document::text, closes_at, id FROM {Schema}.questions WHERE true");
        await using var command = database.DataSource.CreateCommand();
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now }); // $1
        sql.Append(status switch
        {
            QuestionStatus.Scheduled => " AND state = 'published' AND opens_at > $1",
            QuestionStatus.Open => " AND state = 'published' AND opens_at <= $1 AND closes_at > $1",
            QuestionStatus.Closed => " AND (state = 'closed' OR (state = 'published' AND closes_at <= $1))",
            QuestionStatus.Resolved => " AND state = 'resolved'",
            QuestionStatus.Annulled => " AND state = 'annulled'",
            _ => " AND $1 IS NOT NULL",
        });
        if (tag is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [tag], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            sql.Append($" AND tags @> ${command.Parameters.Count}");
        }

        if (after is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = after.ClosesAt });
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = after.Id });
            sql.Append($" AND (closes_at, id) > (${command.Parameters.Count - 1}, ${command.Parameters.Count})");
        }

        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit + 1 });
        sql.Append($" ORDER BY closes_at, id LIMIT ${command.Parameters.Count}");
        command.CommandText = sql.ToString();

        var items = new List<(QuestionView View, DateTimeOffset ClosesAt, Guid Id)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                items.Add((JsonSerializer.Deserialize<QuestionView>(reader.GetString(0), Json)!, reader.GetFieldValue<DateTimeOffset>(1), reader.GetGuid(2)));
            }
        }

        var page = items.Take(limit).ToList();
        var next = items.Count > limit ? new QuestionCursor(page[^1].ClosesAt, page[^1].Id).Encode() : null;
        return ([.. page.Select(i => i.View)], next);
    }

    /// <summary>
    /// <see cref="ListAsync"/> over views in memory (a point-in-time replay): the same filters, order and cursor as the
    /// SQL, with closesAt at PostgreSQL's microsecond precision and ids in its uuid order.
    /// </summary>
    public static (IReadOnlyList<QuestionView> Items, string? NextCursor) Page(
        IEnumerable<QuestionView> views, string? status, string? tag, QuestionCursor? after, int limit, DateTimeOffset now)
    {
        static DateTimeOffset Stored(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);
        var order = UuidOrder.Instance;
        var items = views
            .Where(v => status is null || v.StatusAt(now) == status)
            .Where(v => tag is null || v.Tags.Contains(tag))
            .Select(v => (View: v, ClosesAt: Stored(v.ClosesAt)))
            .Where(i => after is null || i.ClosesAt > after.ClosesAt || (i.ClosesAt == after.ClosesAt && order.Compare(i.View.Id, after.Id) > 0))
            .OrderBy(i => i.ClosesAt)
            .ThenBy(i => i.View.Id, order)
            .Take(limit + 1)
            .ToList();
        var page = items.Take(limit).ToList();
        var next = items.Count > limit ? new QuestionCursor(page[^1].ClosesAt, page[^1].View.Id).Encode() : null;
        return ([.. page.Select(i => i.View)], next);
    }

    /// <summary>
    /// Appends question events with an expected version and rewrites the read model, in one transaction.
    /// Returns the new view (re-read on an idempotent replay).
    /// </summary>
    public async Task<(AppendResult Result, QuestionView View)> AppendAsync(
        Guid questionId, LoadedQuestion loaded, long expectedVersion, IReadOnlyList<object> events, AppendOptions options, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var result = await store.AppendInTransactionAsync(transaction, Question.StreamId(questionId), expectedVersion, events, options, ct);
        if (result.Replayed)
        {
            await transaction.CommitAsync(ct);
            var current = await LoadAsync(questionId, ct);
            return (result, current.View!);
        }

        var view = loaded.View;
        var version = result.Version - events.Count;
        foreach (var e in events)
        {
            view = QuestionView.Evolve(view, e, ++version);
        }

        await UpsertAsync(connection, view!, result.LastSeq, ct);
        await transaction.CommitAsync(ct);
        Forget(questionId); // the guard would catch it; this saves the forecast write a retry
        return (result, view!);
    }

    private async Task UpsertAsync(NpgsqlConnection connection, QuestionView view, long lastSeq, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(UpsertSql(Schema, i => $"${i}", "$10"), connection);
        foreach (var value in UpsertValues(view))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = lastSeq });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Whether an append was recorded under <paramref name="key"/>: null when none was, true for this very request (same
    /// request hash), false for another request.
    /// </summary>
    public async Task<bool?> AppendedWithKeyAsync(IdempotencyKey key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var command = database.DataSource.CreateCommand($"SELECT request_hash FROM {Schema}.idempotency_keys WHERE key = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Key });
        return await command.ExecuteScalarAsync(ct) is byte[] hash ? hash.AsSpan().SequenceEqual(key.RequestHash) : null;
    }

    /// <summary>Forgets the question's cached copy for decisions (after a write to its stream).</summary>
    public void Forget(Guid questionId) => _forDecision.TryRemove(questionId, out _);

    /// <summary>
    /// The upsert of a question's row, for both write paths (this catalog's and the admin commands' Marten session):
    /// the nine <see cref="UpsertValues"/> named by <paramref name="parameter"/> (1-based), then the last seq expression.
    /// </summary>
    internal static string UpsertSql(string schema, Func<int, string> parameter, string lastSeq) => $"""
        INSERT INTO {schema}.questions (id, slug, kind, state, opens_at, closes_at, tags, version, document, last_seq, updated)
        VALUES ({parameter(1)}, {parameter(2)}, {parameter(3)}, {parameter(4)}, {parameter(5)}, {parameter(6)}, {parameter(7)}, {parameter(8)}, {parameter(9)}::jsonb, {lastSeq}, clock_timestamp())
        ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, version = EXCLUDED.version, last_seq = EXCLUDED.last_seq,
            document = EXCLUDED.document, updated = EXCLUDED.updated
        """;

    /// <summary>The values of <see cref="UpsertSql"/>, in order.</summary>
    internal static object[] UpsertValues(QuestionView view) =>
    [
        view.Id, view.Slug, QuestionResource.KindName(view.Kind), view.State, view.OpensAt.ToUniversalTime(), view.ClosesAt.ToUniversalTime(),
        view.Tags.ToArray(), view.Version, JsonSerializer.Serialize(view, Json),
    ];
}
