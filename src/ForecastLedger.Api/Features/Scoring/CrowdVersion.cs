namespace ForecastLedger.Api.Features.Scoring;

/// <summary>What a question's current crowd depends on; equal versions have equal crowds.</summary>
/// <param name="QuestionVersion">The question stream's version (schedule, resolution, annulment).</param>
/// <param name="LastSeq">The seq of the question's last forecast or withdrawal, bots' included.</param>
/// <param name="BotDigest">A digest of the set of bots when bots are left out; null when they are counted.</param>
public sealed record CrowdVersion(long QuestionVersion, long LastSeq, string? BotDigest)
{
    /// <summary>The strong ETag of the crowd at this version.</summary>
    public string ETag => BotDigest is null ? $"\"c{QuestionVersion}-{LastSeq}\"" : $"\"c{QuestionVersion}-{LastSeq}-b{BotDigest}\"";
}
