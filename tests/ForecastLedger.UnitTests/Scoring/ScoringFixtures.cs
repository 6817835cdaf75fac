using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.UnitTests.Scoring;

/// <summary>Builds question timelines and forecast histories for scoring tests; sequence numbers follow call order.</summary>
internal sealed class ForecastLog
{
    private readonly List<ForecastPoint> events = [];

    public IReadOnlyList<ForecastPoint> Events => events;

    public ForecastLog Binary(string forecaster, DateTimeOffset at, int yesPermille)
    {
        events.Add(ForecastPoint.Binary(forecaster, at, events.Count + 1, yesPermille));
        return this;
    }

    public ForecastLog Vector(string forecaster, DateTimeOffset at, params int[] permille)
    {
        events.Add(new ForecastPoint(forecaster, at, events.Count + 1, permille));
        return this;
    }

    public ForecastLog Withdraw(string forecaster, DateTimeOffset at)
    {
        events.Add(ForecastPoint.Withdrawal(forecaster, at, events.Count + 1));
        return this;
    }
}

internal static class ScoringFixtures
{
    public const int Yes = 0;
    public const int No = 1;

    public static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0) =>
        new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    public static QuestionTimeline Resolved(DateTimeOffset open, DateTimeOffset scheduledClose, int resolvedOption, DateTimeOffset? known = null, int optionCount = 2) =>
        new(open, scheduledClose, known ?? scheduledClose, optionCount, resolvedOption, Annulled: false);

    public static decimal Round12(decimal value) => Math.Round(value, 12);

    public static T Only<T>(IEnumerable<T> items, Func<T, bool> predicate) => items.Single(predicate);
}
