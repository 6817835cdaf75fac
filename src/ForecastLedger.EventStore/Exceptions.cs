namespace ForecastLedger.EventStore;

/// <summary>
/// An append lost a version race: the stream was not at the expected version (or already existed, for StartStream).
/// Every such case, including a unique violation on (stream_id, version), surfaces as this one type.
/// </summary>
public sealed class ConcurrencyException : Exception
{
    /// <summary>Creates the exception for a lost race on <paramref name="streamId"/>.</summary>
    public ConcurrencyException(string streamId, long? expectedVersion, long actualVersion)
        : base(expectedVersion == 0
            ? $"Stream '{streamId}' already exists (version {actualVersion})."
            : $"Stream '{streamId}' is at version {actualVersion}, not the expected {expectedVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "any"}.")
    {
        StreamId = streamId;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>The contested stream.</summary>
    public string StreamId { get; }

    /// <summary>The version the writer expected; 0 means "must not exist".</summary>
    public long? ExpectedVersion { get; }

    /// <summary>The version found.</summary>
    public long ActualVersion { get; }
}

/// <summary>An idempotency key was reused with a different request. Nothing was appended.</summary>
public sealed class IdempotencyKeyReusedException : Exception
{
    /// <summary>Creates the exception for a reused <paramref name="key"/>.</summary>
    public IdempotencyKeyReusedException(string key)
        : base($"Idempotency key '{key}' was already used with a different request.") => Key = key;

    /// <summary>The reused key.</summary>
    public string Key { get; }
}

/// <summary>The store holds an event type alias that this build has no type for; start-up refuses to go on.</summary>
public sealed class UnknownEventTypeException : Exception
{
    /// <summary>Creates the exception for the unknown <paramref name="aliases"/>.</summary>
    public UnknownEventTypeException(IReadOnlyCollection<string> aliases)
        : base($"The event store holds event types this build does not know: {string.Join(", ", aliases)}.") => Aliases = aliases;

    /// <summary>The unknown aliases.</summary>
    public IReadOnlyCollection<string> Aliases { get; }
}

/// <summary>
/// A guarded append found its guard stream (for example the question a forecast is about) at another version than the
/// one the caller decided on. Nothing was appended; reload the guard stream, decide again and retry.
/// </summary>
public sealed class GuardFailedException : Exception
{
    /// <summary>Creates the exception for a guard on <paramref name="guardStreamId"/> that no longer holds.</summary>
    public GuardFailedException(string guardStreamId, long expectedVersion, long actualVersion)
        : base($"Stream '{guardStreamId}' is at version {actualVersion}, not the {expectedVersion} the append was decided on.")
    {
        GuardStreamId = guardStreamId;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>The guard stream.</summary>
    public string GuardStreamId { get; }

    /// <summary>The version the caller decided on.</summary>
    public long ExpectedVersion { get; }

    /// <summary>The version found.</summary>
    public long ActualVersion { get; }
}
