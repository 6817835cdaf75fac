using ForecastLedger.EventStore;

namespace ForecastLedger.IntegrationTests.Support;

public sealed record ThingHappened(string Name, int Number);

public sealed record OtherThingHappened(string Note);

public static class TestEvents
{
    public static EventTypeRegistry Registry() => new EventTypeRegistry()
        .Register<ThingHappened>("thing_happened")
        .Register<OtherThingHappened>("other_thing_happened");

    public static object[] Things(int count, string name = "thing") =>
        [.. Enumerable.Range(1, count).Select(i => (object)new ThingHappened(name, i))];
}
