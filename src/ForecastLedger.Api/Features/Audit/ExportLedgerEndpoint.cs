using System.Text.Json;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Audit;
using ForecastLedger.EventStore.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Audit;

public static class ExportLedgerEndpoint
{
    /// <summary>Events per database round trip; memory stays at one page whatever the range.</summary>
    public const int PageSize = 1000;

    /// <summary>NDJSON of the ledger or of a seq range, one event per line in seq order (docs/audit-export-format.md).</summary>
    /// <remarks>
    /// Streamed in keyset pages: the service never holds more than one page. The range's end defaults to the high-water
    /// mark when the export starts; seq order is commit order, so nothing can appear inside the range later.
    /// Heavy: a few exports and verifications run at once per node; beyond them and a short queue, 503 <c>audit-busy</c> with <c>Retry-After</c>.
    /// </remarks>
    /// <param name="fromSeq">The first seq (default 1).</param>
    /// <param name="toSeq">The last seq (default: the high-water mark).</param>
    [WolverineGet("/api/audit/export", OperationId = "exportLedger", Summary = "Export the ledger as NDJSON")]
    [Tags("Audit")]
    [Authorize(Policy = Policies.ReadLedger)]
    [EnableRateLimiting(RateLimitSetup.AuditReads)]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "application/x-ndjson")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public static async Task<IResult> Get(long? fromSeq, long? toSeq, AuditLedger ledger, CancellationToken ct)
    {
        if (SeqRange.Invalid(fromSeq, toSeq) is { } problem)
        {
            return Results.Problem(problem);
        }

        var from = fromSeq ?? 1;
        var to = toSeq ?? await ledger.HighWaterMarkAsync(ct);
        return Results.Stream(stream => WriteAsync(stream, ledger, from, to, ct), "application/x-ndjson");
    }

    /// <summary>Writes events with seq in [from, to] as NDJSON, page by page: one page in memory at a time.</summary>
    public static async Task WriteAsync(Stream output, AuditLedger ledger, long from, long to, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        var cursor = from - 1;
        while (true)
        {
            var page = await ledger.ReadPageAsync(cursor, to, PageSize, ct);
            foreach (var row in page)
            {
                WriteEvent(writer, row);
                writer.Flush();
                writer.Reset();
                buffer.WriteByte((byte)'\n');
            }

            buffer.Position = 0;
            await buffer.CopyToAsync(output, ct);
            await output.FlushAsync(ct);
            buffer.SetLength(0);
            if (page.Count < PageSize)
            {
                return;
            }

            cursor = page[^1].Event.Seq;
        }
    }

    private static void WriteEvent(Utf8JsonWriter writer, AuditEvent row)
    {
        var e = row.Event;
        writer.WriteStartObject();
        writer.WriteNumber("seq", e.Seq);
        writer.WriteString("id", e.Id.ToString("D"));
        writer.WriteString("streamId", e.StreamId);
        writer.WriteNumber("version", e.Version);
        writer.WriteString("type", e.Type);
        writer.WriteString("timestamp", EventHashing.FormatTimestamp(e.Timestamp));
        writer.WritePropertyName("data");
        writer.WriteRawValue(e.DataJson, skipInputValidation: true);
        writer.WritePropertyName("metadata");
        writer.WriteRawValue(e.MetadataJson, skipInputValidation: true);
        writer.WriteString("contentHash", AuditFormat.Hex(e.ContentHash));
        writer.WriteString("prevHash", AuditFormat.Hex(e.PrevHash));
        writer.WriteString("hash", AuditFormat.Hex(e.Hash));
        writer.WriteString("globalPrev", AuditFormat.Hex(row.GlobalPrev));
        writer.WriteString("globalHash", AuditFormat.Hex(row.GlobalHash));
        writer.WriteEndObject();
    }
}
