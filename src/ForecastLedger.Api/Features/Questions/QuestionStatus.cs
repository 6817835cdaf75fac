namespace ForecastLedger.Api.Features.Questions;

/// <summary>Question statuses as the API shows them.</summary>
public static class QuestionStatus
{
    public const string Scheduled = "scheduled";
    public const string Open = "open";
    public const string Closed = "closed";
    public const string Resolved = "resolved";
    public const string Annulled = "annulled";

    public static readonly IReadOnlyList<string> All = [Scheduled, Open, Closed, Resolved, Annulled];
}
