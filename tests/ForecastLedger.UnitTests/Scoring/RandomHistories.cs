using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.UnitTests.Scoring;

/// <summary>One random scoring case: a resolved question and its forecast events.</summary>
internal sealed record RandomCase(int Seed, QuestionTimeline Question, IReadOnlyList<ForecastPoint> Events);

/// <summary>
/// Seeded random question histories for property tests (no FsCheck here). Times are drawn from a coarse grid so that
/// same-instant events, midnight forecasts, forecasts at or after close and withdrawals all occur often.
/// </summary>
internal static class RandomHistories
{
    public const int CaseCount = 400;

    public static IEnumerable<RandomCase> Cases(int baseSeed, int count = CaseCount) =>
        Enumerable.Range(0, count).Select(i => Generate(baseSeed + i));

    public static RandomCase Generate(int seed)
    {
        var random = new Random(seed);
        var optionCount = random.Next(4) == 0 ? random.Next(3, 6) : 2;
        var open = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)
            .AddDays(random.Next(60))
            .AddHours(random.Next(3) == 0 ? random.Next(24) : 0);
        var span = TimeSpan.FromHours(6 * random.Next(1, 40));
        var scheduledClose = open + span;
        DateTimeOffset? known = random.Next(3) == 0 ? open + (span * random.NextDouble()) : scheduledClose;
        var question = new QuestionTimeline(open, scheduledClose, known, optionCount, random.Next(optionCount), Annulled: false);

        var forecasters = Enumerable.Range(0, random.Next(1, 7)).Select(i => $"f{i}").ToArray();
        var events = new List<ForecastPoint>();
        var eventCount = random.Next(0, 30);
        for (var i = 0; i < eventCount; i++)
        {
            var forecaster = forecasters[random.Next(forecasters.Length)];
            var at = open + TimeSpan.FromHours(3 * random.Next(0, (int)(span.TotalHours / 3) + 2));
            var seq = 1000L + (i * 7) + random.Next(7);
            events.Add(random.Next(8) == 0
                ? ForecastPoint.Withdrawal(forecaster, at, seq)
                : new ForecastPoint(forecaster, at, seq, RandomVector(random, optionCount)));
        }

        return new RandomCase(seed, question, events);
    }

    public static int[] RandomVector(Random random, int optionCount)
    {
        var vector = Enumerable.Repeat(ProbabilityVector.MinPermille, optionCount).ToArray();
        var remaining = ProbabilityVector.Whole - optionCount;
        while (remaining > 0)
        {
            var option = random.Next(optionCount);
            var step = Math.Min(remaining, random.Next(1, 400));
            if (vector[option] + step > ProbabilityVector.MaxPermille)
            {
                continue;
            }

            vector[option] += step;
            remaining -= step;
        }

        return vector;
    }

    /// <summary>The same events shuffled, with a random subset replayed a second time.</summary>
    public static IReadOnlyList<ForecastPoint> ShuffledWithReplays(IReadOnlyList<ForecastPoint> events, int seed)
    {
        var random = new Random(seed);
        var replayed = events.Concat(events.Where(_ => random.Next(3) == 0)).ToArray();
        random.Shuffle(replayed);
        return replayed;
    }
}
