using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Receipts;

public static class PostReceiptVerificationEndpoint
{
    /// <summary>Checks a forecast receipt sent as the JSON body (the same answers as GET /api/audit/receipts/verify).</summary>
    /// <remarks>Anonymous. For clients that would rather post the receipt as it was returned than base64url-encode it.</remarks>
    [WolverinePost("/api/audit/receipts/verification", OperationId = "postReceiptVerification", Summary = "Verify a forecast receipt (JSON body)")]
    [Tags("Audit")]
    [AllowAnonymous]
    [ProducesResponseType<ReceiptVerificationResource>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static Task<IResult> Post(ReceiptResource receipt, ReceiptVerifier verifier, CancellationToken ct) =>
        VerifyReceiptEndpoint.VerifyAsync(JsonSerializer.SerializeToElement(receipt, JsonSerializerOptions.Web), verifier, ct);
}
