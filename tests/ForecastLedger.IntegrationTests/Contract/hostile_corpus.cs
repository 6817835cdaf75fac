using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ForecastLedger.IntegrationTests.Support;
using Xunit.Abstractions;

namespace ForecastLedger.IntegrationTests.Contract;

/// <summary>
/// Sends the generated hostile corpus (<see cref="HostileCorpus"/>) to the real host on PostgreSQL and holds the API to
/// issue 11, item 6: no 5xx at all, every error an RFC 9457 problem with a <c>code</c> and a <c>type</c> under the one
/// type base and no .NET type name in its detail, and the ledger unchanged.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class hostile_corpus(PostgresFixture db, ITestOutputHelper output) : IAsyncLifetime
{
    private const string TypeBase = "https://forecastledger.dev/problems/";
    private LedgerApiFactory _api = null!;
    private ForecasterClient _forecaster = null!;
    private HostileTargets _targets = null!;

    public async Task InitializeAsync()
    {
        _api = await db.StartApiAsync(nameof(hostile_corpus));
        _forecaster = await _api.RegisterForecasterAsync();
        var question = await _api.CreateClient().GetFromJsonAsync<JsonElement>("/api/questions/putin-president-2029");
        _targets = new HostileTargets("putin-president-2029", "question-" + question.GetProperty("id").GetGuid(), _forecaster.ForecasterId, _forecaster.KeyId);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task every_operation_refuses_the_hostile_corpus_with_a_problem_and_the_ledger_is_unchanged()
    {
        var openApi = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "api-specs", "openapi.json")))!.AsObject();
        var corpus = HostileCorpus.Generate(openApi, _targets);
        var operations = openApi["paths"]!.AsObject().Sum(p => p.Value!.AsObject().Count);
        Assert.True(corpus.Count >= 2_000, $"the corpus has only {corpus.Count} requests");
        Assert.Equal(operations, corpus.Select(r => r.Operation).Distinct().Count());

        var clients = new Dictionary<HostileCaller, HttpClient>
        {
            [HostileCaller.Anonymous] = _api.CreateClient(),
            [HostileCaller.Forecaster] = _forecaster.Client,
            [HostileCaller.Admin] = _api.AdminClient(),
        };
        var before = await LedgerHeadAsync();
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();

        foreach (var request in corpus)
        {
            using var response = await clients[request.Caller].SendAsync(ToMessage(request));
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            if (request.Method != "GET" && status < 300)
            {
                failures.Add($"{request} -> {status}: a hostile write succeeded");
            }
            else if (await ProblemWithAsync(response) is { } problem)
            {
                failures.Add($"{request} -> {status}: {problem}");
            }
        }

        var after = await LedgerHeadAsync();
        output.WriteLine($"{corpus.Count} hostile requests over {operations} operations; statuses: {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        foreach (var failure in failures.Take(40))
        {
            output.WriteLine(failure);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {corpus.Count} hostile requests were answered badly; the first:\n{string.Join("\n", failures.Take(15))}");
        Assert.Equal(before, after);
    }

    private static HttpRequestMessage ToMessage(HostileRequest request)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri("http://localhost" + request.PathAndQuery));
        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (request.Body is { } body)
        {
            HttpContent content = request.Chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
            message.Content = content;
        }

        return message;
    }

    /// <summary>What is wrong with the answer to a hostile request; null when it is a success or a proper problem.</summary>
    private static async Task<string?> ProblemWithAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            return "a server error: " + Short(await response.Content.ReadAsStringAsync());
        }

        if (status < 400)
        {
            return null;
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"not application/problem+json but {response.Content.Headers.ContentType?.MediaType ?? "no content type"}";
        }

        var text = await response.Content.ReadAsStringAsync();
        JsonElement problem;
        try
        {
            problem = JsonSerializer.Deserialize<JsonElement>(text);
        }
        catch (JsonException)
        {
            return "a problem body that is not JSON: " + Short(text);
        }

        var code = problem.TryGetProperty("code", out var c) ? c.GetString() : null;
        var type = problem.TryGetProperty("type", out var t) ? t.GetString() : null;
        var detail = problem.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
        return string.IsNullOrEmpty(code) ? "no code: " + Short(text)
            : type is null || !type.StartsWith(TypeBase, StringComparison.Ordinal) ? $"type {type} outside {TypeBase}"
            : type != TypeBase + code ? $"type {type} does not name code {code}"
            : detail.Contains("System.", StringComparison.Ordinal) || detail.Contains("ForecastLedger.", StringComparison.Ordinal) ? "a .NET type name in the detail: " + Short(detail)
            : null;
    }

    private async Task<(long Count, long LastSeq)> LedgerHeadAsync()
    {
        await using var command = db.DataSource.CreateCommand($"SELECT count(*), coalesce(max(seq_id), 0) FROM {_api.Schema}.stream_events");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static string Short(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
