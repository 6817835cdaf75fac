namespace ForecastLedger.LocalPostgres;

/// <summary>
/// A PostgreSQL binary failed or the cluster could not be brought up. The message includes the tail of the
/// command's output and, when there is one, of the server log.
/// </summary>
public sealed class LocalClusterException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public LocalClusterException()
        : base("The local PostgreSQL cluster failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public LocalClusterException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public LocalClusterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
