using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace ForecastLedger.EventStore;

/// <summary>
/// The global chain's sequencer (docs/adr/0024): an asynchronous Marten projection, so Marten's daemon runs it on one
/// node at a time (HotCold) and hands it every committed event exactly once, in seq order, only below the high-water
/// mark: every lower seq is then either committed or dead (its transaction rolled back), never still in flight. Each
/// page is chained after the chain's head by <c>sequence_global_chain</c> (migration 0012) in the daemon's transaction,
/// so the chain and the daemon's progress commit together. Nothing committed later can land below a signed position.
/// </summary>
public sealed class GlobalChainSequencer(string schema) : IProjection
{
    /// <summary>The projection's name: its progress row is <c>global_chain:All</c> in <c>mt_event_progression</c>.</summary>
    public const string Name = "global_chain";

    /// <summary>The shard name Marten records this projection's progress under.</summary>
    public const string ShardName = Name + ":All";

    /// <summary>Queues the chaining of one page of events, in the daemon's transaction.</summary>
    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count > 0)
        {
            var seqs = new long[events.Count];
            for (var i = 0; i < seqs.Length; i++)
            {
                seqs[i] = events[i].Sequence;
            }

            operations.QueueSqlCommand($"SELECT {schema}.sequence_global_chain(?)", seqs);
        }

        return Task.CompletedTask;
    }
}
