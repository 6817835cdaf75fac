namespace ForecastLedger.Api.Features.Questions;

/// <summary>A clarification of a question's text.</summary>
public sealed record Clarification(string Note, string? Title, string? Description, string? ResolutionCriteria, DateTimeOffset ClarifiedAt);
