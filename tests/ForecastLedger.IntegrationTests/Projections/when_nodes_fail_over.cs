using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;
using Npgsql;

namespace ForecastLedger.IntegrationTests.Projections;

/// <summary>Two nodes on one schema: Marten's HotCold coordinator lets one lead, and the other takes over when it goes.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_nodes_fail_over(PostgresFixture db)
{
    [Fact]
    public async Task only_one_node_leads_and_the_other_takes_over_when_the_leader_stops_mid_stream()
    {
        var store = await db.UnsequencedStoreAsync("proj_failover_stop");
        var (a, b) = (Projections(store), Projections(store));
        await using var nodeA = await db.NodeAsync(store, a.Seen, a.Counts);
        await using var nodeB = await db.NodeAsync(store, b.Seen, b.Counts);
        var (leader, follower) = await SingleLeaderAsync(nodeA, nodeB);

        var writers = db.RaceWritersAsync(store, "fo", fastWriters: 4, fastAppends: 80, slowWriters: 2, slowAppends: 20);
        await ProjectionTesting.WaitUntilAsync(async () => (await leader.GetStatusAsync("seen")).Checkpoint > 50, ProjectionTesting.CatchUp, "the leader to make progress");

        await leader.DisposeAsync(); // lets go of the schema's lock mid-stream
        await ProjectionTesting.WaitUntilAsync(async () => (await follower.GetStatusAsync("seen")).IsLeader, TimeSpan.FromSeconds(30), "the follower to take over");

        await writers;
        await store.WaitUntilSequencedAsync(ProjectionTesting.CatchUp);
        await follower.WaitForCatchUpAsync(ProjectionTesting.CatchUp);
        await db.AssertSawEveryEventOnceInOrderAsync(store, a.Seen);
        Assert.Equal(await db.ExpectedCountsAsync(store), await db.CountsAsync(a.Counts));
    }

    [Fact]
    public async Task when_the_leaders_lock_session_is_killed_another_node_takes_over_and_nothing_is_lost_or_doubled()
    {
        var store = await db.UnsequencedStoreAsync("proj_failover_kill");
        var (a, b) = (Projections(store), Projections(store));
        int[] lockHoldersBefore;
        await using (var holders = db.DataSource.CreateCommand("SELECT COALESCE(array_agg(DISTINCT pid), '{}') FROM pg_locks WHERE locktype = 'advisory' AND granted"))
        {
            lockHoldersBefore = (int[])(await holders.ExecuteScalarAsync())!;
        }

        await using var nodeA = await db.NodeAsync(store, a.Seen, a.Counts);
        await using var nodeB = await db.NodeAsync(store, b.Seen, b.Counts);
        var (leader, _) = await SingleLeaderAsync(nodeA, nodeB);

        var writers = db.RaceWritersAsync(store, "kill", fastWriters: 4, fastAppends: 80, slowWriters: 2, slowAppends: 20);
        await ProjectionTesting.WaitUntilAsync(async () => (await leader.GetStatusAsync("seen")).Checkpoint > 50, ProjectionTesting.CatchUp, "the leader to make progress");

        // The leader's node "crashes" as far as the database can tell: the session holding the schema's lock ends while
        // the node itself carries on until it notices. The shards' optimistic progress updates fence whatever it tries.
        // Only the session holding this schema's leadership locks is killed: the one that took advisory locks since the
        // nodes started and sits idle between them (the racing writers hold transaction-level locks on their streams
        // inside their transactions, and other schemas' daemons held theirs before).
        await using (var kill = db.DataSource.CreateCommand("""
            SELECT count(pg_terminate_backend(pid)) FROM (
                SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                WHERE l.locktype = 'advisory' AND l.granted AND a.state = 'idle' AND l.pid <> pg_backend_pid() AND l.pid <> ALL($1)) k
            """))
        {
            kill.Parameters.AddWithValue(lockHoldersBefore);
            Assert.True((long)(await kill.ExecuteScalarAsync())! >= 1, "the leader's lock session was found");
        }

        await writers;
        await store.WaitUntilSequencedAsync(ProjectionTesting.CatchUp);
        await nodeA.WaitForCatchUpAsync(ProjectionTesting.CatchUp);
        await ProjectionTesting.WaitUntilAsync(async () => (await nodeA.GetStatusAsync("seen")).IsLeader ^ (await nodeB.GetStatusAsync("seen")).IsLeader,
            TimeSpan.FromSeconds(30), "exactly one leader");
        await db.AssertSawEveryEventOnceInOrderAsync(store, a.Seen);
        Assert.Equal(await db.ExpectedCountsAsync(store), await db.CountsAsync(a.Counts));
    }

    [Fact]
    public async Task progress_moved_behind_the_leaders_back_fences_its_next_page_and_it_goes_on_from_there()
    {
        var store = await db.UnsequencedStoreAsync("proj_failover_cas");
        var seen = new SeenProjection(store.Options.Schema);
        await store.AppendAsync("cas-1", TestEvents.Things(20));
        await using var node = await db.NodeAsync(store, seen);
        await node.WaitForCatchUpAsync(ProjectionTesting.CatchUp);

        // "Another node" projects ten new events and moves the progress, in one transaction, as a rebuild would.
        AppendResult moved;
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using (var lockProgress = new NpgsqlCommand(
                $"SELECT last_seq_id FROM {store.Options.Schema}.mt_event_progression WHERE name = 'seen:All' FOR UPDATE", connection))
            {
                await lockProgress.ExecuteScalarAsync();
            }

            moved = await store.AppendInTransactionAsync(transaction, "cas-2", null, TestEvents.Things(10), null, CancellationToken.None);
            await using var project = new NpgsqlCommand($"""
                INSERT INTO {seen.Table} (seq_id, stream_id, version)
                SELECT seq_id, stream_id, version FROM {store.Options.Schema}.stream_events WHERE stream_id = 'cas-2' ORDER BY seq_id;
                UPDATE {store.Options.Schema}.mt_event_progression SET last_seq_id = {moved.LastSeq} WHERE name = 'seen:All'
                """, connection);
            await project.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        await store.AppendAsync("cas-3", TestEvents.Things(10));
        await store.WaitUntilSequencedAsync(ProjectionTesting.CatchUp);
        await node.WaitForCatchUpAsync(TimeSpan.FromSeconds(30));

        await db.AssertSawEveryEventOnceInOrderAsync(store, seen);
        var status = await node.GetStatusAsync("seen");
        Assert.Equal((40L, true), (status.Checkpoint, status.IsLeader));
    }

    private static (SeenProjection Seen, CountingProjection Counts) Projections(PostgresEventStore store) =>
        (new SeenProjection(store.Options.Schema), new CountingProjection(store.Options.Schema));

    private static async Task<(ProjectionNode Leader, ProjectionNode Follower)> SingleLeaderAsync(ProjectionNode a, ProjectionNode b)
    {
        await ProjectionTesting.WaitUntilAsync(async () => (await a.GetStatusAsync("seen")).IsLeader || (await b.GetStatusAsync("seen")).IsLeader,
            TimeSpan.FromSeconds(30), "a leader");
        await Task.Delay(300); // several polls: the follower keeps trying and must keep failing
        foreach (var projection in new[] { "seen", "counts" })
        {
            Assert.True((await a.GetStatusAsync(projection)).IsLeader ^ (await b.GetStatusAsync(projection)).IsLeader, $"exactly one node leads {projection}");
        }

        return (await a.GetStatusAsync("seen")).IsLeader ? (a, b) : (b, a);
    }
}
