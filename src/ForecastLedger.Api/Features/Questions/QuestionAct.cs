namespace ForecastLedger.Api.Features.Questions;

/// <summary>Who acts in an admin command on a question, and when (truncated to what the ledger stores).</summary>
public sealed record QuestionAct(string Actor, DateTimeOffset Now);
