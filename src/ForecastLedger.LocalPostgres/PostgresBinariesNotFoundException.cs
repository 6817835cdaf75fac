namespace ForecastLedger.LocalPostgres;

/// <summary>
/// The PostgreSQL server binaries are not installed where <see cref="PostgresBinaries"/> looked.
/// The message is one line saying what was searched and what to install.
/// </summary>
public sealed class PostgresBinariesNotFoundException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public PostgresBinariesNotFoundException()
        : base("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found.")
    {
    }

    /// <summary>Creates the exception with a one-line message.</summary>
    public PostgresBinariesNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a one-line message and its cause.</summary>
    public PostgresBinariesNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
