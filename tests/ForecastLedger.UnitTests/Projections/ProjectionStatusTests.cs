using ForecastLedger.EventStore.Projections;

namespace ForecastLedger.UnitTests.Projections;

public sealed class ProjectionStatusTests
{
    private static ProjectionStatus Status(ProjectionState state = ProjectionState.Running, long checkpoint = 10, long hwm = 10,
        double sinceProgress = 0, double? oldestAge = null) =>
        new("p", state, checkpoint, hwm, DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(sinceProgress),
            oldestAge is { } age ? TimeSpan.FromSeconds(age) : null, null, null, IsLeader: true);

    [Fact]
    public void lag_is_the_high_water_mark_minus_the_checkpoint_and_never_negative()
    {
        Assert.Equal(7, Status(checkpoint: 3, hwm: 10).Lag);
        Assert.Equal(0, Status(checkpoint: 10, hwm: 10).Lag);
        Assert.Equal(0, Status(checkpoint: 12, hwm: 10).Lag);
    }

    [Fact]
    public void an_idle_caught_up_projection_is_not_stalled_however_long_ago_it_moved() =>
        Assert.False(Status(sinceProgress: 3600).IsStalled(TimeSpan.FromSeconds(30)));

    [Fact]
    public void a_lagging_projection_that_has_not_moved_for_longer_than_the_threshold_is_stalled() =>
        Assert.True(Status(checkpoint: 5, sinceProgress: 60, oldestAge: 60).IsStalled(TimeSpan.FromSeconds(30)));

    [Fact]
    public void a_lagging_projection_that_moved_recently_is_not_stalled() =>
        Assert.False(Status(checkpoint: 5, sinceProgress: 1, oldestAge: 60).IsStalled(TimeSpan.FromSeconds(30)));

    [Fact]
    public void events_that_just_arrived_after_a_long_idle_spell_do_not_make_it_stalled() =>
        Assert.False(Status(checkpoint: 5, sinceProgress: 3600, oldestAge: 1).IsStalled(TimeSpan.FromSeconds(30)));

    [Fact]
    public void a_stopped_projection_is_stalled_at_once() =>
        Assert.True(Status(ProjectionState.Stopped).IsStalled(TimeSpan.FromHours(1)));

    [Fact]
    public void caught_up_means_running_with_no_lag()
    {
        Assert.True(Status().IsCaughtUp);
        Assert.False(Status(checkpoint: 9).IsCaughtUp);
        Assert.False(Status(ProjectionState.Rebuilding).IsCaughtUp);
    }

    [Theory]
    [InlineData("running", ProjectionState.Running)]
    [InlineData("stopped", ProjectionState.Stopped)]
    [InlineData("rebuilding", ProjectionState.Rebuilding)]
    public void states_have_stable_names(string name, ProjectionState state) =>
        Assert.Equal(name, ProjectionStatus.Format(state));
}
