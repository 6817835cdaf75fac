namespace ForecastLedger.Api.Features.Audit;

/// <summary>Why a projections export could not be taken at the requested seq.</summary>
public enum ProjectionsSnapshotFailure
{
    /// <summary>The <c>question_scores</c> projection has not reached the seq (yet, or within the wait).</summary>
    NotReached,

    /// <summary>Question, forecast or forecaster events exist after the seq: the projections have moved past it for good.</summary>
    MovedPast,

    /// <summary>The projection is stopped (a poison event); an admin must act first.</summary>
    Stopped,
}
