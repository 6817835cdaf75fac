namespace ForecastLedger.Domain.Scoring;

/// <summary>A Metaculus-style tournament row: <c>Σ_q Peer·w_q</c> and the prize take <c>max(total, 0)²</c> (§3.4).</summary>
public sealed record TournamentStanding(string ForecasterId, double TotalPeer, double PrizeTake, double CoverageSum, int QuestionCount, int Rank);
