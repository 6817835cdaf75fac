namespace ForecastLedger.EventStore.Projections;

/// <summary>A projection stopped on a poison event (or failed to reset) while the caller waited for it.</summary>
public sealed class ProjectionStoppedException : Exception
{
    /// <summary>Creates the exception for <paramref name="projection"/>.</summary>
    public ProjectionStoppedException(string projection, long? errorSeq, string? error)
        : base($"Projection '{projection}' is stopped{(errorSeq is { } seq ? $" at seq {seq}" : string.Empty)}: {error ?? "no error recorded"}.")
    {
        Projection = projection;
        ErrorSeq = errorSeq;
        Error = error;
    }

    /// <summary>The stopped projection.</summary>
    public string Projection { get; }

    /// <summary>The seq of the event it stopped on, when known.</summary>
    public long? ErrorSeq { get; }

    /// <summary>The recorded error.</summary>
    public string? Error { get; }
}
