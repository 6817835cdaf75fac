using ForecastLedger.Domain.Forecasters;

namespace ForecastLedger.Api.Features.Forecasters;

/// <summary>A forecaster as a command decides on it: the decision state, the public profile and the stream's version.</summary>
/// <param name="State">The folded decision state.</param>
/// <param name="Profile">The profile; null before the registration.</param>
/// <param name="Version">The stream's version.</param>
public sealed record LoadedForecaster(Forecaster State, ForecasterProfile? Profile, long Version)
{
    /// <summary>The forecaster's stream id; Marten needs one on every aggregate it loads.</summary>
    public string Id { get; set; } = "";

    /// <summary>The profile after <paramref name="e"/>: the same facts the <c>forecasters</c> table keeps.</summary>
    public static ForecasterProfile? Evolve(ForecasterProfile? profile, object e) => (profile, e) switch
    {
        (null, ForecasterRegistered r) => new ForecasterProfile(r.ForecasterId, r.Handle, r.DisplayName, r.IsBot, r.RegisteredAt),
        ({ } p, ForecasterBotFlagChanged c) => p with { IsBot = c.IsBot },
        _ => profile,
    };
}
