using System.Text.Json;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using Weasel.Core;

namespace ForecastLedger.EventStore;

/// <summary>
/// The ledger's Marten configuration (docs/adr/0021-events-in-martens-tables.md): events and streams live in Marten's
/// <c>mt_events</c> and <c>mt_streams</c> in the ledger's schema, are written through Marten sessions, and keep the
/// stable snake_case type names and string stream ids the ledger has always had.
/// </summary>
public static class LedgerMarten
{
    /// <summary>The header that holds the event's metadata exactly as it was hashed.</summary>
    public const string MetadataHeader = "fl_metadata";

    /// <summary>The header that holds the base64 content hash.</summary>
    public const string ContentHashHeader = "fl_content_hash";

    /// <summary>The header that holds the base64 hash of the stream's previous event (32 zero bytes for the first).</summary>
    public const string PrevHashHeader = "fl_prev_hash";

    /// <summary>The header that holds the base64 chain hash.</summary>
    public const string HashHeader = "fl_hash";

    /// <summary>The index migration 0011 adds to <c>mt_events</c> for <c>asOf</c> reads (docs/adr/0008).</summary>
    public const string TimestampIndex = "mt_events_fl_timestamp";

    /// <summary>A store over <paramref name="dataSource"/>; its schema objects are applied by <see cref="SchemaMigrator"/>, never on first use.</summary>
    public static DocumentStore CreateStore(NpgsqlDataSource dataSource, EventStoreOptions options, Action<StoreOptions>? configure = null)
    {
        var marten = new StoreOptions();
        Configure(marten, dataSource, options);
        configure?.Invoke(marten);
        return new DocumentStore(marten);
    }

    /// <summary>
    /// The ledger's settings on <paramref name="marten"/>, for a store the application registers itself (AddMarten): the
    /// same tables, type names and serialisation as <see cref="CreateStore"/>, and the listener that chains every event
    /// appended through the store's sessions (docs/adr/0023).
    /// </summary>
    public static void Configure(StoreOptions marten, NpgsqlDataSource dataSource, EventStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(marten);
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        marten.Connection(dataSource);
        marten.DatabaseSchemaName = options.QuotedSchema;
        marten.Events.DatabaseSchemaName = options.QuotedSchema;
        // Migrations are a step of their own (SchemaMigrator), so a running node never alters the schema behind another.
        marten.AutoCreateSchemaObjects = AutoCreate.None;
        marten.Events.StreamIdentity = StreamIdentity.AsString;
        // The ledger's own index on Marten's table: without this, Marten's delta drops it on every migration after 0011.
        marten.Events.IgnoreIndex(TimestampIndex);
        // Quick appends with timestamps set by the application: the timestamp is part of the content hash, computed
        // before the row is written, so the database must store the one that was hashed.
        marten.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
        marten.Events.MetadataConfig.HeadersEnabled = true;
        marten.Events.MetadataConfig.CorrelationIdEnabled = true;
        marten.Events.MetadataConfig.CausationIdEnabled = true;
        // EnableAll() leaves the user name off; the ledger records its actor there.
        marten.Events.MetadataConfig.UserNameEnabled = true;
        // Marten creates its event tables only when it knows an event type; its own tombstone makes sure a store with an
        // empty registry (a migration-only run) still gets them.
        marten.Events.AddEventType(typeof(Tombstone));
        foreach (var alias in options.Types.Aliases)
        {
            marten.Events.MapEventType(options.Types.TypeFor(alias)!, alias);
        }

        // Event data is stored exactly as EventJson writes it, so what was hashed is what a reader finds.
        marten.UseSystemTextJsonForSerialization(new JsonSerializerOptions(options.Json), EnumStorage.AsInteger, Casing.SnakeCase);
        // Every append through any session of the store is hash-chained, whoever opened the session.
        marten.Listeners.Add(new LedgerChainListener(options));

        // The global chain is sequenced below Marten's high-water mark by one node at a time (docs/adr/0024). The
        // daemon is woken by a notification on append rather than by polling alone, never skips an event that fails
        // (it stops and shows in readiness), and takes its leadership lock per schema, so ledgers sharing a database
        // each get their own leader.
        marten.Projections.Add(new GlobalChainSequencer(options.QuotedSchema), ProjectionLifecycle.Async, GlobalChainSequencer.Name);
        marten.Projections.AsyncMode = DaemonMode.HotCold;
        marten.Projections.Errors.SkipApplyErrors = false;
        marten.Projections.Errors.SkipUnknownEvents = false;
        // An event whose payload no longer deserialises must not silently drop out of the global chain: the sequencer
        // stops on it, the global order stops growing, and the projections' lag and readiness show it.
        marten.Projections.Errors.SkipSerializationErrors = false;
        // A gap in the seqs is skipped only when no transaction that could still fill it is alive, however long that
        // takes: the service's idle_in_transaction_session_timeout and statement_timeout bound the wait instead.
        marten.Projections.UseTransactionEvidenceForGapSkipping = true;
        marten.Projections.SkipStaleGapsDespiteLiveTransactionsAfter = null;
        marten.Projections.DaemonLockId = DaemonLockId(options.QuotedSchema);
        marten.Events.UseListenNotifyForEventAppends = true;
    }

    /// <summary>A stable advisory lock id per schema for the daemon's leadership (FNV-1a over the name).</summary>
    public static int DaemonLockId(string schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var hash = 2166136261u;
        foreach (var c in "forecastledger:daemon:" + schema)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & 0x3FFFFFFF);
    }
}
