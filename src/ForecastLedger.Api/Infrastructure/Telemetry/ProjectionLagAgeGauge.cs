using System.Diagnostics.Metrics;
using ForecastLedger.EventStore.Projections;

namespace ForecastLedger.Api.Infrastructure.Telemetry;

/// <summary>
/// The age half of projection lag. The projections' own meter reports the lag in seqs; the age needs a status read, so it is
/// observed here, once per scrape, with a short timeout (a slow database yields no measurement rather than a stuck scrape).
/// </summary>
public sealed class ProjectionLagAgeGauge : IDisposable
{
    private readonly Meter _meter = new(TelemetrySetup.MeterName);
    private readonly LedgerProjections _projections;
    private readonly LedgerDatabase _database;
    private readonly string _schema;

    public ProjectionLagAgeGauge(LedgerProjections projections, LedgerDatabase database, ForecastLedger.EventStore.EventStoreOptions options)
    {
        _projections = projections;
        _database = database;
        _schema = options.Schema;
        _meter.CreateObservableGauge(TelemetrySetup.LagAgeInstrumentName, Observe, unit: "s",
            description: "Age of the oldest event a projection has not applied yet; 0 when it is caught up.");
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>
    /// The global chain's sequencer (docs/adr/0024), which runs on Marten's daemon: the age of the oldest committed event
    /// it has not chained yet (one index probe above the chain's head), 0 when it is caught up.
    /// </summary>
    private async Task<double> SequencerLagAsync(CancellationToken ct)
    {
        await using var command = _database.DataSource.CreateCommand($"""
            SELECT COALESCE(extract(epoch FROM clock_timestamp() - min(e."timestamp")), 0)::float8
            FROM (SELECT "timestamp" FROM {_schema}.mt_events
                  WHERE seq_id > {ForecastLedger.EventStore.LedgerSequencing.SequencedHead(_schema)} AND type <> 'tombstone'
                  ORDER BY seq_id LIMIT 1) e
            """);
        return Math.Max(0, (double)(await command.ExecuteScalarAsync(ct))!);
    }

    private IEnumerable<Measurement<double>> Observe()
    {
        if (!_database.IsStarted)
        {
            return [];
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var statuses = _projections.GetStatusAsync(timeout.Token).GetAwaiter().GetResult();
            return [.. statuses.Select(s => new Measurement<double>(
                s.Lag == 0 ? 0 : (s.OldestUnprocessedAge ?? TimeSpan.Zero).TotalSeconds,
                new KeyValuePair<string, object?>("projection", s.Name))),
                new Measurement<double>(SequencerLagAsync(timeout.Token).GetAwaiter().GetResult(),
                    new KeyValuePair<string, object?>("projection", ForecastLedger.EventStore.GlobalChainSequencer.Name))];
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            return [];
        }
    }
}
