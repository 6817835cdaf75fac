using ForecastLedger.Domain.Questions;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace ForecastLedger.Api.Features.Questions;

/// <summary>
/// The question as an admin command decides on it, folded by Marten from the question stream on every load (a live
/// aggregation: nothing is stored). The same pure folds as everywhere else.
/// </summary>
public sealed class LoadedQuestionProjection : SingleStreamProjection<LoadedQuestion, string>
{
    public override LoadedQuestion? Evolve(LoadedQuestion? snapshot, string id, IEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var current = snapshot ?? new LoadedQuestion(Question.Initial, null, 0);
        return new LoadedQuestion(Question.Evolve(current.State, e.Data), QuestionView.Evolve(current.View, e.Data, e.Version), e.Version) { Id = id };
    }
}
