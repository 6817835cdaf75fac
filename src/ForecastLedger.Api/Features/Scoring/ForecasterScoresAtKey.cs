using ForecastLedger.Api.Features.Questions;
using ForecastLedger.Api.Infrastructure.Caching;
using ForecastLedger.Domain.Scoring;

namespace ForecastLedger.Api.Features.Scoring;

/// <summary>A forecaster's scores, with the questions they score, as they stood at a ledger seq.</summary>
public sealed record ForecasterScoresAtKey(long Seq, Guid Forecaster) : ReadCacheKey<IReadOnlyList<(QuestionScore Score, QuestionView View)>>;
