using ForecastLedger.Domain.Forecasters;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace ForecastLedger.Api.Features.Forecasters;

/// <summary>
/// The forecaster as a command loads it through Wolverine's aggregate handler workflow: folded by Marten from the
/// forecaster's stream on every load (a live aggregation: nothing is stored), with the same pure folds as everywhere.
/// </summary>
public sealed class LoadedForecasterProjection : SingleStreamProjection<LoadedForecaster, string>
{
    public override LoadedForecaster? Evolve(LoadedForecaster? snapshot, string id, IEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var current = snapshot ?? new LoadedForecaster(Forecaster.Initial, null, 0);
        return new LoadedForecaster(Forecaster.Evolve(current.State, e.Data), LoadedForecaster.Evolve(current.Profile, e.Data), e.Version) { Id = id };
    }
}
