using ForecastLedger.Domain.Questions;

namespace ForecastLedger.Api.Features.Questions;

/// <summary>A question's decision state and read model, folded from one read of its stream.</summary>
public sealed record LoadedQuestion(Question State, QuestionView? View, long Version)
{
    /// <summary>The question's stream id; Marten needs one on every aggregate it loads (docs/adr/0023).</summary>
    public string Id { get; set; } = "";
}
