using System.Globalization;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// A configured server's ledger is still in the home-made store (schema version 10 or older, docs/adr/0026): start-up
/// and <c>migrate</c> do not copy its events, <c>migrate-store</c> does, in resumable chunks with progress. Nothing was
/// changed. The message is the one line an operator needs.
/// </summary>
public sealed class StoreMoveRequiredException(string schema, long events) : Exception(string.Create(CultureInfo.InvariantCulture,
    $"The schema '{schema}' holds {events:N0} event(s) in the old store that are not yet in Marten's tables. Run `migrate-store` to copy them (in committed chunks, resumable, with progress) and migrate; `migrate` and start-up do not copy a ledger on a configured server."))
{
    /// <summary>The events still to copy.</summary>
    public long Events { get; } = events;
}
