namespace ForecastLedger.Domain.Questions;

/// <summary>
/// The one rule for when the forecasts on a question, and everything computed from them, become public (README, "Roles
/// and rules"; ADR 0013).
/// </summary>
/// <remarks>
/// <para>
/// A question's forecasts are public from the first of: its close (early or as scheduled), its crowd-reveal time, its
/// resolution, its annulment. Before then only auditors and admins see them, and a forecaster sees its own.
/// </para>
/// <para>
/// A resolution (or an annulment) reveals even before the crowd-reveal time: the outcome is known, so nothing is left to
/// copy, and the scores it publishes give the forecasts back anyway (a final Brier score returns the probability exactly).
/// Scores, calibration and leaderboards are computed from resolved questions only, so they are public by this clause and
/// need no check of their own.
/// </para>
/// </remarks>
public static class ForecastVisibility
{
    /// <summary>When the schedule alone makes the forecasts public: the close (early, if earlier) or the crowd reveal, whichever is first.</summary>
    public static DateTimeOffset ScheduledRevealAt(DateTimeOffset closesAt, DateTimeOffset? closedEarlyAt, DateTimeOffset? crowdRevealAt)
    {
        var close = closedEarlyAt is { } early && early < closesAt ? early : closesAt;
        return crowdRevealAt is { } reveal && reveal < close ? reveal : close;
    }

    /// <summary>True when everyone may see the forecasts on a question at <paramref name="at"/>.</summary>
    /// <param name="settled">True once the question is resolved or annulled.</param>
    public static bool IsPublic(DateTimeOffset closesAt, DateTimeOffset? closedEarlyAt, DateTimeOffset? crowdRevealAt, bool settled, DateTimeOffset at) =>
        settled || at >= ScheduledRevealAt(closesAt, closedEarlyAt, crowdRevealAt);

    /// <summary>The rule on the decider's state of a question; an unknown question has nothing to show.</summary>
    public static bool IsPublic(Question state, DateTimeOffset at) => state switch
    {
        Question.Resolved or Question.Annulled => true,
        Question.Closed c => IsPublic(c.Facts.ClosesAt, c.ClosedAt, c.Facts.CrowdRevealAt, settled: false, at),
        Question.Published p => IsPublic(p.Facts.ClosesAt, null, p.Facts.CrowdRevealAt, settled: false, at),
        _ => false,
    };
}
