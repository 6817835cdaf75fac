using ForecastLedger.EventStore;

namespace ForecastLedger.UnitTests.EventStore;

public sealed class EventTypeRegistryTests
{
    private sealed record ThingHappened;

    private sealed record OtherThingHappened;

    [Fact]
    public void maps_aliases_both_ways()
    {
        var registry = new EventTypeRegistry().Register<ThingHappened>("thing_happened");

        Assert.Equal("thing_happened", registry.AliasFor(typeof(ThingHappened)));
        Assert.Equal(typeof(ThingHappened), registry.TypeFor("thing_happened"));
        Assert.Null(registry.TypeFor("unknown_thing"));
    }

    [Fact]
    public void refuses_a_duplicate_alias() =>
        Assert.Throws<InvalidOperationException>(() => new EventTypeRegistry()
            .Register<ThingHappened>("thing_happened")
            .Register<OtherThingHappened>("thing_happened"));

    [Fact]
    public void refuses_a_type_registered_twice() =>
        Assert.Throws<InvalidOperationException>(() => new EventTypeRegistry()
            .Register<ThingHappened>("thing_happened")
            .Register<ThingHappened>("thing_happened_again"));

    [Theory]
    [InlineData("ThingHappened")]
    [InlineData("thing-happened")]
    [InlineData("1thing")]
    [InlineData("")]
    public void refuses_aliases_that_are_not_snake_case(string alias) =>
        Assert.Throws<ArgumentException>(() => new EventTypeRegistry().Register<ThingHappened>(alias));

    [Fact]
    public void an_unregistered_type_has_no_alias() =>
        Assert.Throws<InvalidOperationException>(() => new EventTypeRegistry().AliasFor(typeof(ThingHappened)));
}
