using ForecastLedger.IntegrationTests.Support;

namespace ForecastLedger.IntegrationTests.Audit;

/// <summary>
/// ADR 0024: the global chain's sequencer runs on Marten's daemon in HotCold mode, on one node at a time. Nodes on one
/// schema are stopped one after the other while writes go on through the others; whichever node led, the global order
/// keeps growing through every stop, and the chain holds every committed event exactly once.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_the_sequencer_fails_over(PostgresFixture db)
{
    [Fact]
    public async Task the_global_order_keeps_growing_when_nodes_stop_one_after_the_other()
    {
        var a = await db.StartApiAsync(nameof(when_the_sequencer_fails_over));
        var schema = a.Schema;
        var b = Node(schema);
        await a.WaitUntilSequencedAsync();
        await a.AppendEventsAsync(5, "failover-a");

        // A stops: if it led, B takes over; either way what B writes is sequenced.
        await a.DisposeAsync();
        await b.AppendEventsAsync(5, "failover-b");
        await b.WaitUntilSequencedAsync();

        // C joins and B stops: if B led (now or from the start), C takes over.
        var c = Node(schema);
        await b.DisposeAsync();
        await c.AppendEventsAsync(5, "failover-c");
        await c.WaitUntilSequencedAsync();

        await using (c)
        {
            await using var command = db.DataSource.CreateCommand($"""
                SELECT (SELECT count(*) FROM {schema}.mt_events WHERE type <> 'tombstone'),
                       (SELECT count(*) FROM {schema}.global_chain),
                       (SELECT count(*) FROM {schema}.events)
                """);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            var (committed, chained, readable) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            Assert.True(committed >= 15);
            Assert.Equal(committed, chained);
            Assert.Equal(committed, readable);
        }
    }

    /// <summary>Another node on the same schema and database (it migrates nothing: the schema is current).</summary>
    private LedgerApiFactory Node(string schema)
    {
        var node = new LedgerApiFactory(db.ConnectionString, schema);
        _ = node.Server;
        return node;
    }
}
