using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ForecastLedger.Api.Features.Audit;

public static class GetSequencingEndpoint
{
    /// <summary>How many skipped ranges and late commits one answer lists at most (the newest).</summary>
    public const int Limit = 1000;

    /// <summary>
    /// Where the global chain's sequencer stands: committed, sequenced and high-water positions, the seq ranges skipped as
    /// dead (no transaction could still fill them) and any event committed into such a range afterwards, which the
    /// global chain never took (docs/adr/0024).
    /// </summary>
    [WolverineGet("/api/audit/sequencing", OperationId = "getSequencing", Summary = "Read the sequencer's position and the seq ranges it skipped")]
    [Tags("Audit")]
    [Authorize(Policy = Policies.ReadLedger)]
    [ProducesResponseType<SequencingState>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    public static Task<SequencingState> Get(AuditLedger ledger, CancellationToken ct) => ledger.SequencingAsync(Limit, ct);
}
