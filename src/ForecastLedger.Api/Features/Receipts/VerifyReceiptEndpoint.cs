using System.Text.Json;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Receipts;

public static class VerifyReceiptEndpoint
{
    /// <summary>Checks a forecast receipt against the ledger and its signed checkpoints.</summary>
    /// <remarks>
    /// Anonymous. <c>included</c> comes with an inclusion proof against a signed checkpoint; <c>not-yet-due</c> means no
    /// checkpoint covers the event yet and its due time has not passed; <c>missing</c> means the ledger no longer holds
    /// the receipted event, or no signed checkpoint included it by its due time: proof that the ledger was truncated,
    /// rewritten or withheld it. Always 200 for a well-formed receipt: the status is the answer.
    /// </remarks>
    /// <param name="receipt">The receipt's JSON, base64url-encoded.</param>
    [WolverineGet("/api/audit/receipts/verify", OperationId = "verifyReceipt", Summary = "Verify a forecast receipt")]
    [Tags("Audit")]
    [AllowAnonymous]
    [ProducesResponseType<ReceiptVerificationResource>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> Get(string? receipt, ReceiptVerifier verifier, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(receipt))
        {
            return Results.Problem(InvalidReceipt("'receipt' is required: the receipt's JSON, base64url-encoded."));
        }

        JsonElement json;
        try
        {
            using var document = JsonDocument.Parse(CheckpointSigning.Base64UrlDecode(receipt.Trim()));
            json = document.RootElement.Clone();
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return Results.Problem(InvalidReceipt($"'receipt' is not base64url-encoded JSON: {e.Message}"));
        }

        return await VerifyAsync(json, verifier, ct);
    }

    internal static async Task<IResult> VerifyAsync(JsonElement json, ReceiptVerifier verifier, CancellationToken ct)
    {
        SignedReceipt parsed;
        try
        {
            parsed = ReceiptSigning.Parse(json);
        }
        catch (FormatException e)
        {
            return Results.Problem(InvalidReceipt(e.Message));
        }

        return Results.Ok(await verifier.VerifyAsync(parsed, ct));
    }

    private static ProblemDetails InvalidReceipt(string detail) => ProblemDetailsSetup.Problem(400, "invalid-receipt", detail);
}
