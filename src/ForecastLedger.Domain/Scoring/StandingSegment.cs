namespace ForecastLedger.Domain.Scoring;

/// <summary>A stretch <c>[From, Until)</c> of the continuous grid in which nobody's standing forecast changes (§3.3).</summary>
/// <param name="Standing">The standing forecasts, oldest first by <c>(Since, Seq)</c> (the recency order of §4).</param>
public sealed record StandingSegment(DateTimeOffset From, DateTimeOffset Until, IReadOnlyList<StandingEntry> Standing)
{
    public TimeSpan Duration => Until - From;
}
