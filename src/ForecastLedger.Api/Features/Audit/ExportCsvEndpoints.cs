using ForecastLedger.Api.Features.Scoring;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Npgsql;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Audit;

/// <summary>CSV exports for researchers: every forecast, and every score with its explanation.</summary>
public static class ExportCsvEndpoints
{
    /// <summary>The columns of <c>forecasts.csv</c>, in order.</summary>
    public static readonly IReadOnlyList<string> ForecastColumns =
    [
        "seq", "recorded_at", "at", "question_id", "question_slug", "question_kind", "options", "forecaster_id", "forecaster_handle",
        "is_bot", "forecast_id", "kind", "version", "probabilities_permille", "p_yes", "rationale",
    ];

    /// <summary>The columns of <c>scores.csv</c>, in order.</summary>
    public static readonly IReadOnlyList<string> ScoreColumns =
    [
        "question_id", "question_slug", "question_state", "outcome", "known_at", "forecaster_id", "forecaster_handle", "is_bot",
        "final_brier", "mean_daily_brier", "median_score", "participation", "relative_brier", "log_score", "baseline", "peer",
        "coverage", "truncated", "days_scored", "scoring_days", "explanation",
    ];

    /// <summary>Every forecast and withdrawal as CSV, one row each, in ledger order.</summary>
    /// <remarks>
    /// RFC 4180 (CRLF, a header row, quoted fields only where needed), streamed. Columns: <c>seq</c> (ledger position),
    /// <c>recorded_at</c> (the event's timestamp), <c>at</c> (the forecast's own instant, the one scores use),
    /// <c>question_id</c>, <c>question_slug</c>, <c>question_kind</c> (binary or categorical), <c>options</c> (the option
    /// keys joined by <c>;</c>), <c>forecaster_id</c>, <c>forecaster_handle</c>, <c>is_bot</c>, <c>forecast_id</c>,
    /// <c>kind</c> (submitted or withdrawn), <c>version</c> (in the forecaster's stream on the question),
    /// <c>probabilities_permille</c> (one integer per option joined by <c>;</c>; empty for a withdrawal), <c>p_yes</c>
    /// (binary questions: the Yes probability as a decimal), <c>rationale</c>. Instants are UTC with six fractional digits.
    /// Heavy: a few exports and verifications run at once per node; beyond them and a short queue, 503 <c>audit-busy</c> with <c>Retry-After</c>.
    /// </remarks>
    [WolverineGet("/api/audit/export/forecasts.csv", OperationId = "exportForecastsCsv", Summary = "Export every forecast as CSV")]
    [Tags("Audit")]
    [Authorize(Policy = Policies.ReadLedger)]
    [EnableRateLimiting(RateLimitSetup.AuditReads)]
    [ProducesResponseType(typeof(string), StatusCodes.Status200OK, "text/csv")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public static async Task<IResult> GetForecasts(HttpContext context, LedgerDatabase database, EventStoreOptions options, CancellationToken ct)
    {
        var schema = options.Schema;
        await using var command = database.DataSource.CreateCommand($"""
            SELECT h.seq_id, e."timestamp", h.at, h.question_id, q.slug, q.kind, q.document -> 'options', h.forecaster_id, f.handle,
                   coalesce(f.is_bot, false), h.forecast_id, h.kind, h.version, h.probabilities, h.rationale
            FROM {schema}.forecast_history h
            LEFT JOIN {schema}.events e ON e.seq_id = h.seq_id
            LEFT JOIN {schema}.questions q ON q.id = h.question_id
            LEFT JOIN {schema}.forecasters f ON f.id = h.forecaster_id
            ORDER BY h.seq_id
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        context.Response.ContentType = ExportCsvWriter.ContentType;
        context.Response.Headers.ContentDisposition = "attachment; filename=\"forecasts.csv\"";
        await using var csv = new ExportCsvWriter(context.Response.Body);
        await csv.HeaderAsync(ForecastColumns, ct);
        while (await reader.ReadAsync(ct))
        {
            var optionKeys = reader.IsDBNull(6) ? [] : System.Text.Json.JsonSerializer.Deserialize<string[]>(reader.GetString(6)) ?? [];
            var permille = reader.IsDBNull(13) ? null : reader.GetFieldValue<int[]>(13);
            csv.Field(reader.GetInt64(0))
                .Field(reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1))
                .Field(reader.GetFieldValue<DateTimeOffset>(2))
                .Field(reader.GetGuid(3))
                .Field(reader.IsDBNull(4) ? null : reader.GetString(4))
                .Field(reader.IsDBNull(5) ? null : reader.GetString(5))
                .Field(string.Join(";", optionKeys))
                .Field(reader.GetGuid(7))
                .Field(reader.IsDBNull(8) ? null : reader.GetString(8))
                .Field(reader.GetBoolean(9))
                .Field(reader.GetGuid(10))
                .Field(reader.GetString(11))
                .Field(reader.GetInt64(12))
                .Field(permille is null ? null : string.Join(';', permille))
                .Field(permille is { Length: 2 } ? permille[0] / 1000m : null)
                .Field(reader.IsDBNull(14) ? null : reader.GetString(14));
            await csv.EndRowAsync(ct);
        }

        return Results.Empty;
    }

    /// <summary>Every forecaster's scores on every scored question as CSV, one row per forecaster and question.</summary>
    /// <remarks>
    /// RFC 4180, streamed, from the <c>question_scores</c> projection (as <c>GET /api/questions/{id}/scores</c> serves
    /// it), in (question id, forecaster id) order. Columns: <c>question_id</c>, <c>question_slug</c>,
    /// <c>question_state</c>, <c>outcome</c>, <c>known_at</c>, <c>forecaster_id</c>, <c>forecaster_handle</c>,
    /// <c>is_bot</c>, then every score (<c>final_brier</c>, <c>mean_daily_brier</c>, <c>median_score</c>,
    /// <c>participation</c>, <c>relative_brier</c>, <c>log_score</c>, <c>baseline</c>, <c>peer</c>, <c>coverage</c>) and
    /// explanation field (<c>truncated</c>, <c>days_scored</c>, <c>scoring_days</c>, <c>explanation</c>); scoring.md
    /// §3 defines each. An empty field is a null (no scored day, no standing forecast at the close).
    /// Heavy: a few exports and verifications run at once per node; beyond them and a short queue, 503 <c>audit-busy</c> with <c>Retry-After</c>.
    /// </remarks>
    [WolverineGet("/api/audit/export/scores.csv", OperationId = "exportScoresCsv", Summary = "Export every score as CSV")]
    [Tags("Audit")]
    [Authorize(Policy = Policies.ReadLedger)]
    [EnableRateLimiting(RateLimitSetup.AuditReads)]
    [ProducesResponseType(typeof(string), StatusCodes.Status200OK, "text/csv")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public static async Task<IResult> GetScores(HttpContext context, LedgerDatabase database, EventStoreOptions options, CancellationToken ct)
    {
        var schema = options.Schema;
        await using var command = database.DataSource.CreateCommand($"""
            SELECT {QuestionScoreColumns.Of("s")},
                   q.slug, q.state, q.document -> 'resolution' ->> 'outcome', q.document -> 'resolution' ->> 'known_at', f.handle, coalesce(f.is_bot, false)
            FROM {schema}.question_scores s
            LEFT JOIN {schema}.questions q ON q.id = s.question_id
            LEFT JOIN {schema}.forecasters f ON f.id = s.forecaster_id
            ORDER BY s.question_id, s.forecaster_id
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        context.Response.ContentType = ExportCsvWriter.ContentType;
        context.Response.Headers.ContentDisposition = "attachment; filename=\"scores.csv\"";
        await using var csv = new ExportCsvWriter(context.Response.Body);
        await csv.HeaderAsync(ScoreColumns, ct);
        while (await reader.ReadAsync(ct))
        {
            var score = QuestionScoreColumns.Read(reader);
            var handle = reader.IsDBNull(18) ? null : reader.GetString(18);
            DateTimeOffset? knownAt = reader.IsDBNull(17) ? null : DateTimeOffset.Parse(reader.GetString(17), System.Globalization.CultureInfo.InvariantCulture);
            csv.Field(score.QuestionId)
                .Field(reader.IsDBNull(14) ? null : reader.GetString(14))
                .Field(reader.IsDBNull(15) ? null : reader.GetString(15))
                .Field(reader.IsDBNull(16) ? null : reader.GetString(16))
                .Field(knownAt)
                .Field(Guid.Parse(score.ForecasterId))
                .Field(handle)
                .Field(reader.GetBoolean(19))
                .Field(score.FinalBrier)
                .Field(score.MeanDailyBrier)
                .Field(score.MedianScore)
                .Field(score.Participation)
                .Field(score.RelativeBrier)
                .Field(score.Log)
                .Field(score.Baseline)
                .Field(score.Peer)
                .Field(score.Coverage)
                .Field(score.Truncated)
                .Field(score.DaysScored)
                .Field(score.ScoringDays)
                .Field(ForecasterScoreResource.From(score, handle).Explanation);
            await csv.EndRowAsync(ct);
        }

        return Results.Empty;
    }
}
