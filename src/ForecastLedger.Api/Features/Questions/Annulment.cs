namespace ForecastLedger.Api.Features.Questions;

/// <summary>Why a question was annulled.</summary>
public sealed record Annulment(string Reason, DateTimeOffset AnnulledAt);
