using ForecastLedger.EventStore;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// A write without <c>If-Match</c> asked for no condition, so losing a version race to another write is not the
/// client's conflict: the server reads again, decides again on the new state and appends again, so such writes are
/// accepted one after another in ledger order. Only a conditional write (If-Match) fails on a version mismatch (412).
/// A decision that is refused on the new state (e.g. the question closed meanwhile) is refused as usual.
/// </summary>
public static class UnconditionalWrites
{
    /// <summary>
    /// How often one request reads, decides and appends before its ConcurrencyException reaches the client (409). Each
    /// lost race means another write to the same stream committed, so this bounds a request's work, not fairness.
    /// </summary>
    public const int MaxAttempts = 16;

    /// <summary>Runs <paramref name="attempt"/> (read, decide, append) and runs it again when an unconditional append lost a race.</summary>
    public static Task RunAsync(bool conditional, Func<Task> attempt) =>
        RunAsync(conditional, async () =>
        {
            await attempt();
            return true;
        });

    /// <summary>Runs <paramref name="attempt"/> (read, decide, append) and runs it again when an unconditional append lost a race.</summary>
    public static async Task<T> RunAsync<T>(bool conditional, Func<Task<T>> attempt)
    {
        for (var attempts = 1; ; attempts++)
        {
            try
            {
                return await attempt();
            }
            catch (ConcurrencyException) when (!conditional && attempts < MaxAttempts)
            {
                // Another write to the stream committed first: read its result and decide again.
            }
        }
    }
}
