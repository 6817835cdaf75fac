using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Domain.Questions;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Features;

/// <summary>
/// The question admin commands on Wolverine's aggregate handler workflow (docs/adr/0023): the expected-version semantics
/// of the two Marten APIs, the one exception policy for lost races, 404 for unknown questions, and that what the
/// workflow appends is chained like every other event (the chains, the heads and the server's own auditor agree).
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class question_admin_on_the_aggregate_workflow(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(question_admin_on_the_aggregate_workflow));
        _admin = _api.AdminClient();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private PostgresEventStore Store => _api.Services.GetRequiredService<PostgresEventStore>();

    private IDocumentStore Marten => _api.Services.GetRequiredService<IDocumentStore>();

    private async Task<Guid> PublishAsync(string slug) => (await _api.PublishAsync(Binary(slug))).GetProperty("id").GetGuid();

    private Task<HttpResponseMessage> ClarifyAsync(string question, string note, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/questions/{question}/clarifications") { Content = JsonContent.Create(new { note, description = note }) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return _admin.SendAsync(request);
    }

    [Fact]
    public async Task if_match_names_the_version_before_the_append_and_the_etag_the_version_after()
    {
        var id = await PublishAsync("before-after");

        var response = await ClarifyAsync("before-after", "First.", ifMatch: "\"1\"");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.Headers.ETag?.Tag);
        Assert.Equal(2, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64());
        await (await ClarifyAsync("before-after", "Stale.", ifMatch: "\"1\"")).AssertProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");
        Assert.Equal(2, await Store.StreamVersionAsync(Question.StreamId(id)));
    }

    [Fact]
    public async Task fetch_for_writing_gives_the_version_before_and_martens_append_takes_the_version_after()
    {
        var id = await PublishAsync("two-apis");
        var stream = Question.StreamId(id);
        var clarified = new QuestionClarified(id, null, "Text.", null, "Note.", "admin:test", DateTimeOffset.UtcNow);

        await using (var session = Marten.LightweightSession())
        {
            var fetched = await session.Events.FetchForWriting<LoadedQuestion>(stream);
            Assert.Equal(1, fetched.CurrentVersion); // before: the stream holds one event
            Assert.Equal(1, fetched.Aggregate!.Version);
            fetched.AppendOne(clarified);
            await session.SaveChangesAsync();
        }

        await using (var session = Marten.LightweightSession())
        {
            session.Events.Append(stream, 3, clarified); // after: the stream will hold three events
            await session.SaveChangesAsync();
        }

        await using (var session = Marten.LightweightSession())
        {
            // The stream is at 3: "3" as the version after this append means it expects to start from 2.
            session.Events.Append(stream, 3, clarified);
            var lost = await Assert.ThrowsAsync<ConcurrencyException>(() => session.SaveChangesAsync());
            Assert.Equal(2, lost.ExpectedVersion);
            Assert.Equal(3, lost.ActualVersion);
        }

        Assert.Equal(3, await Store.StreamVersionAsync(stream));
        Assert.True((await Store.VerifyChainsAsync(stream)).IsValid);
    }

    [Fact]
    public async Task a_write_that_lost_the_race_between_its_read_and_its_append_is_a_concurrency_exception()
    {
        var id = await PublishAsync("lost-race");
        var stream = Question.StreamId(id);
        var clarified = new QuestionClarified(id, null, "Text.", null, "Note.", "admin:test", DateTimeOffset.UtcNow);

        await using var slow = Marten.LightweightSession();
        var fetched = await slow.Events.FetchForWriting<LoadedQuestion>(stream);
        Assert.Equal(HttpStatusCode.OK, (await ClarifyAsync("lost-race", "Meanwhile.")).StatusCode);
        fetched.AppendOne(clarified);

        var lost = await Assert.ThrowsAsync<ConcurrencyException>(() => slow.SaveChangesAsync());

        Assert.Equal((1L, 2L), (lost.ExpectedVersion!.Value, lost.ActualVersion));
        Assert.Equal(2, await Store.StreamVersionAsync(stream));
    }

    [Theory]
    [InlineData(false, 409, "concurrency")]
    [InlineData(true, 412, "precondition-failed")]
    public async Task every_kind_of_lost_race_is_a_409_or_under_if_match_a_412_never_a_500(bool ifMatch, int status, string code)
    {
        Exception[] races =
        [
            new ConcurrencyException("question-x", 1, 2),
            new JasperFx.ConcurrencyException("question-x changed", new InvalidOperationException("question-x")),
            // What FetchForExclusiveWriting throws when the stream's row lock times out; only its type matters here.
            (Exception)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(typeof(Marten.Exceptions.StreamLockedException)),
        ];
        foreach (var race in races)
        {
            var context = new DefaultHttpContext { RequestServices = _api.Services };
            context.Response.Body = new MemoryStream();
            if (ifMatch)
            {
                context.Request.Headers.IfMatch = "\"1\"";
            }

            var handler = ActivatorUtilities.CreateInstance<LedgerExceptionHandler>(_api.Services);
            Assert.True(await handler.TryHandleAsync(context, race, CancellationToken.None));
            Assert.Equal(status, context.Response.StatusCode);
            context.Response.Body.Position = 0;
            var problem = await JsonSerializer.DeserializeAsync<JsonElement>(context.Response.Body);
            Assert.Equal(code, problem.GetProperty("code").GetString());
            Assert.DoesNotContain("question-x", problem.GetRawText(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task racing_conditional_admin_writes_have_one_winner_and_412s_never_a_500()
    {
        await PublishAsync("race-conditional");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => ClarifyAsync("race-conditional", $"Note {i}.", ifMatch: "\"1\"")));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var lost in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await lost.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");
        }
    }

    [Theory]
    [InlineData("no-such-question")]
    [InlineData("0198c6a2-0000-7000-8000-000000000000")]
    public async Task every_admin_command_on_an_unknown_question_is_a_404(string question)
    {
        var knownAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        (HttpMethod Method, string Path, object Body)[] commands =
        [
            (HttpMethod.Post, "close", new { reason = "Early." }),
            (HttpMethod.Post, "resolution", new { outcome = "yes", knownAt, sourceNote = "Source." }),
            (HttpMethod.Put, "resolution", new { outcome = "no", knownAt, reason = "Fix." }),
            (HttpMethod.Post, "annulment", new { reason = "Void." }),
            (HttpMethod.Post, "clarifications", new { note = "Clearer.", description = "Clearer." }),
        ];
        foreach (var (method, path, body) in commands)
        {
            var response = await _admin.SendAsync(new HttpRequestMessage(method, $"/api/questions/{question}/{path}") { Content = JsonContent.Create(body) });
            await response.AssertProblemAsync(HttpStatusCode.NotFound, "question-not-found");
        }
    }

    [Fact]
    public async Task events_written_through_the_workflow_are_chained_recorded_and_pass_the_server_auditor()
    {
        var id = await PublishAsync("chained-admin");
        Assert.Equal(HttpStatusCode.OK, (await ClarifyAsync("chained-admin", "Clearer.")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsJsonAsync("/api/questions/chained-admin/close", new { reason = "Early." })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsJsonAsync("/api/questions/chained-admin/resolution",
            new { outcome = "yes", knownAt = DateTimeOffset.UtcNow.AddSeconds(-1), sourceNote = "Source." })).StatusCode);
        var stream = Question.StreamId(id);

        var events = await Store.FetchStreamAsync(stream);
        Assert.Equal([1L, 2L, 3L, 4L], events.Select(e => e.Version));
        Assert.All(events.Skip(1), e => Assert.StartsWith("admin", e.Metadata.Actor, StringComparison.Ordinal));
        Assert.True((await Store.VerifyChainsAsync(stream)).IsValid);
        Assert.True((await Store.VerifyChainsAsync()).IsValid);

        await using (var command = db.DataSource.CreateCommand($"""
            SELECT h.version, h.head_hash = s.head_hash, (SELECT count(*) FROM {_api.Schema}.event_types WHERE alias IN ('question_clarified', 'question_closed', 'question_resolved')),
                   q.version, q.last_seq = (SELECT max(seq_id) FROM {_api.Schema}.mt_events WHERE stream_id = h.id)
            FROM {_api.Schema}.stream_heads h JOIN {_api.Schema}.streams s ON s.id = h.id JOIN {_api.Schema}.questions q ON q.id = $2
            WHERE h.id = $1
            """))
        {
            command.Parameters.AddWithValue(stream);
            command.Parameters.AddWithValue(id);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(4, reader.GetInt64(0));
            Assert.True(reader.GetBoolean(1));
            Assert.Equal(3, reader.GetInt64(2));
            Assert.Equal(4, reader.GetInt64(3));
            Assert.True(reader.GetBoolean(4));
        }

        var auditor = await _api.AuditorClientAsync();
        var report = await auditor.GetFromJsonAsync<JsonElement>("/api/audit/verify");
        Assert.True(report.GetProperty("ok").GetBoolean(), report.GetRawText());
    }
}

/// <summary>
/// The zero-config run knows its cluster's address only once it has started it, after Wolverine built the Marten store
/// to discover its endpoints (docs/adr/0023): the workflow must still append to that cluster, chained.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class question_admin_in_the_zero_config_run : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "fl-zero-config-admin-" + Guid.NewGuid().ToString("N"));
    private LedgerApiFactory _api = null!;

    public Task InitializeAsync()
    {
        _api = new LedgerApiFactory("", "ledger", configure: b => b.UseSetting("Ledger:DataDirectory", _root));
        _ = _api.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    [Fact]
    public async Task an_admin_command_appends_through_the_workflow_to_the_local_cluster()
    {
        var id = (await _api.PublishAsync(Binary("zero-config-admin"))).GetProperty("id").GetGuid();

        var response = await _api.AdminClient().PostAsJsonAsync("/api/questions/zero-config-admin/close", new { reason = "Early." });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.Headers.ETag?.Tag);
        var store = _api.Services.GetRequiredService<PostgresEventStore>();
        Assert.Equal(2, await store.StreamVersionAsync(Question.StreamId(id)));
        Assert.True((await store.VerifyChainsAsync()).IsValid);
    }
}

/// <summary>
/// The append-level idempotency record (ADR 0014) on the workflow path: the append records its key in its transaction,
/// a retry whose response record was lost never appends twice (the command is decided again, as it always was, and an
/// admin command refuses to repeat itself), and the key reused for another request is refused at the append.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class question_admin_appends_once_per_idempotency_key(PostgresFixture db) : IAsyncLifetime
{
    private LedgerApiFactory _api = null!;

    public async Task InitializeAsync() => _api = await db.StartApiAsync(nameof(question_admin_appends_once_per_idempotency_key));

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private Task<HttpResponseMessage> ClarifyAsync(string key, string description)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/questions/keyed-admin/clarifications") { Content = JsonContent.Create(new { note = "Clearer.", description }) };
        request.Headers.Add("Idempotency-Key", key);
        return _api.AdminClient().SendAsync(request);
    }

    private async Task ForgetResponsesAsync()
    {
        await using var command = db.DataSource.CreateCommand($"DELETE FROM {_api.Schema}.idempotent_requests");
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task the_key_is_recorded_with_the_append_and_a_retry_without_its_response_record_never_appends_twice()
    {
        var id = (await _api.PublishAsync(Binary("keyed-admin"))).GetProperty("id").GetGuid();
        var store = _api.Services.GetRequiredService<PostgresEventStore>();
        Assert.Equal(HttpStatusCode.OK, (await ClarifyAsync("admin-key-1", "Once.")).StatusCode);
        await using (var command = db.DataSource.CreateCommand($"""
            SELECT k.stream_version, k.first_seq = e.seq_id AND k.last_seq = e.seq_id
            FROM {_api.Schema}.idempotency_keys k JOIN {_api.Schema}.stream_events e ON e.stream_id = k.stream_id AND e.version = k.stream_version
            """))
        {
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(2, reader.GetInt64(0));
            Assert.True(reader.GetBoolean(1));
            Assert.False(await reader.ReadAsync());
        }

        await ForgetResponsesAsync();
        await (await ClarifyAsync("admin-key-1", "Once.")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "clarification-changes-nothing");
        await ForgetResponsesAsync();
        await (await ClarifyAsync("admin-key-1", "Another.")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");

        Assert.Equal(2, await store.StreamVersionAsync(Question.StreamId(id)));
    }
}
