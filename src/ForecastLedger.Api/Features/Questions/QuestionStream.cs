using ForecastLedger.EventStore;

namespace ForecastLedger.Api.Features.Questions;

/// <summary>
/// The stream an admin command's route names, and the request's Idempotency-Key with what the ledger recorded under it
/// (<see cref="RecordedForThisRequest"/>: null when nothing was appended with it, false when another request was).
/// </summary>
public sealed record QuestionStream(string Id, IdempotencyKey? Key, bool? RecordedForThisRequest);
