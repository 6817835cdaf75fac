using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Projections;
using ForecastLedger.IntegrationTests.Support;
using Npgsql;

namespace ForecastLedger.IntegrationTests.Projections;

/// <summary>Two daemons ("nodes") on one schema: one leads each projection, and the other takes over when it goes.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_nodes_fail_over(PostgresFixture db)
{
    [Fact]
    public async Task only_one_node_leads_and_the_other_takes_over_when_the_leader_stops_mid_stream()
    {
        var store = await db.FreshStoreAsync("proj_failover_stop", TestEvents.Registry());
        var (a, b) = (Node(store), Node(store));
        await using var nodeA = a.Daemon;
        await using var nodeB = b.Daemon;
        await nodeA.StartAsync();
        await nodeB.StartAsync();
        var (leader, follower) = await SingleLeaderAsync(nodeA, nodeB);

        var writers = db.RaceWritersAsync(store, "fo", fastWriters: 4, fastAppends: 80, slowWriters: 2, slowAppends: 20);
        await ProjectionTesting.WaitUntilAsync(async () => (await leader.GetStatusAsync("seen")).Checkpoint > 50, ProjectionTesting.CatchUp, "the leader to make progress");

        await leader.DisposeAsync(); // closes its connections, releasing the leadership lock mid-stream
        await ProjectionTesting.WaitUntilAsync(async () => (await follower.GetStatusAsync("seen")).IsLeader, TimeSpan.FromSeconds(30), "the follower to take over");

        await writers;
        await follower.WaitForCatchUpAsync(ProjectionTesting.CatchUp);
        await db.AssertSawEveryEventOnceInOrderAsync(store, a.Seen);
        Assert.Equal(await db.ExpectedCountsAsync(store), await db.CountsAsync(a.Counts));
    }

    [Fact]
    public async Task when_the_leaders_session_is_killed_another_node_takes_over_and_nothing_is_lost_or_doubled()
    {
        var store = await db.FreshStoreAsync("proj_failover_kill", TestEvents.Registry());
        var (a, b) = (Node(store), Node(store));
        await using var nodeA = a.Daemon;
        await using var nodeB = b.Daemon;
        await nodeA.StartAsync();
        await nodeB.StartAsync();
        var (leader, _) = await SingleLeaderAsync(nodeA, nodeB);

        var writers = db.RaceWritersAsync(store, "kill", fastWriters: 4, fastAppends: 80, slowWriters: 2, slowAppends: 20);
        await ProjectionTesting.WaitUntilAsync(async () => (await leader.GetStatusAsync("seen")).Checkpoint > 50, ProjectionTesting.CatchUp, "the leader to make progress");

        // The leader's node "crashes" as far as the database can tell: its lock session ends, while the node itself
        // carries on until its heartbeat notices. The compare-and-set must fence whatever it still tries.
        var pid = leader.Agent("seen").LeaderProcessId;
        Assert.NotEqual(0, pid);
        await using (var kill = db.DataSource.CreateCommand("SELECT pg_terminate_backend($1)"))
        {
            kill.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pid });
            Assert.True((bool)(await kill.ExecuteScalarAsync())!);
        }

        await ProjectionTesting.WaitUntilAsync(
            () => Task.FromResult(nodeA.Agent("seen").LeaderProcessId is var p && p != 0 && p != pid || nodeB.Agent("seen").LeaderProcessId is var q && q != 0 && q != pid),
            TimeSpan.FromSeconds(30), "a new leadership session");

        await writers;
        await nodeA.WaitForCatchUpAsync(ProjectionTesting.CatchUp);
        await ProjectionTesting.WaitUntilAsync(async () => (await nodeA.GetStatusAsync("seen")).IsLeader ^ (await nodeB.GetStatusAsync("seen")).IsLeader,
            TimeSpan.FromSeconds(30), "exactly one leader");
        await db.AssertSawEveryEventOnceInOrderAsync(store, a.Seen);
        Assert.Equal(await db.ExpectedCountsAsync(store), await db.CountsAsync(a.Counts));
    }

    [Fact]
    public async Task a_checkpoint_moved_behind_the_leaders_back_fences_its_next_batch_and_it_steps_down()
    {
        var store = await db.FreshStoreAsync("proj_failover_cas", TestEvents.Registry());
        var seen = new SeenProjection(store.Options.Schema);
        // Slow polling: the daemon reads the next batch only when notified, so the move is met by its compare-and-set.
        await using var daemon = new ProjectionDaemon(db.DataSource, store, [seen], new ProjectionDaemonOptions
        {
            BatchSize = 100,
            IdlePollInterval = TimeSpan.FromMinutes(5),
            BusyPollInterval = TimeSpan.FromMinutes(5),
            LeadershipRetryInterval = TimeSpan.FromMilliseconds(100),
            HeartbeatInterval = TimeSpan.FromMinutes(5),
        });
        await store.AppendAsync("cas-1", TestEvents.Things(20));
        await daemon.StartAsync();
        await daemon.WaitForCatchUpAsync(ProjectionTesting.CatchUp);
        Assert.Equal(0, daemon.Agent("seen").Fences);

        // "Another node" projects ten new events and moves the checkpoint, in one transaction, as a leader would.
        AppendResult moved;
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            moved = await store.AppendInTransactionAsync(transaction, "cas-2", null, TestEvents.Things(10), null, CancellationToken.None);
            await using var project = new NpgsqlCommand($"""
                INSERT INTO {seen.Table} (seq_id, stream_id, version)
                SELECT seq_id, stream_id, version FROM {store.Options.Schema}.stream_events WHERE stream_id = 'cas-2' ORDER BY seq_id;
                UPDATE {store.Options.Schema}.projection_progress SET last_seq_id = {moved.LastSeq} WHERE name = 'seen'
                """, connection);
            await project.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        await ProjectionTesting.WaitUntilAsync(() => Task.FromResult(daemon.Agent("seen").Fences == 1), TimeSpan.FromSeconds(30), "the stale leader to be fenced");
        await store.AppendAsync("cas-3", TestEvents.Things(10));
        await daemon.WaitForCatchUpAsync(TimeSpan.FromSeconds(30));

        await db.AssertSawEveryEventOnceInOrderAsync(store, seen);
        var status = await daemon.GetStatusAsync("seen");
        Assert.Equal((ProjectionState.Running, 40L, true), (status.State, status.Checkpoint, status.IsLeader));
        Assert.Equal(1, daemon.Agent("seen").Fences);
    }

    private (ProjectionDaemon Daemon, SeenProjection Seen, CountingProjection Counts) Node(PostgresEventStore store)
    {
        var seen = new SeenProjection(store.Options.Schema);
        var counts = new CountingProjection(store.Options.Schema);
        return (db.Daemon(store, ProjectionTesting.Fast(batchSize: 10), seen, counts), seen, counts);
    }

    private static async Task<(ProjectionDaemon Leader, ProjectionDaemon Follower)> SingleLeaderAsync(ProjectionDaemon a, ProjectionDaemon b)
    {
        await ProjectionTesting.WaitUntilAsync(async () => (await a.GetStatusAsync("seen")).IsLeader || (await b.GetStatusAsync("seen")).IsLeader,
            TimeSpan.FromSeconds(30), "a leader");
        await Task.Delay(300); // several retry intervals: the follower keeps trying and must keep failing
        foreach (var projection in new[] { "seen", "counts" })
        {
            Assert.True((await a.GetStatusAsync(projection)).IsLeader ^ (await b.GetStatusAsync(projection)).IsLeader, $"exactly one node leads {projection}");
        }

        return (await a.GetStatusAsync("seen")).IsLeader ? (a, b) : (b, a);
    }
}
