namespace ForecastLedger.Domain.Scoring;

/// <summary>How the engine treats one forecast event (scoring.md §3.1, §7).</summary>
public enum ForecastDisposition
{
    /// <summary>Counts for scores and the crowd from its timestamp until replaced or withdrawn.</summary>
    Counted,

    /// <summary>Same forecaster, same timestamp, a higher sequence number exists: it stood for zero time (§1, §7).</summary>
    SupersededAtSameInstant,

    /// <summary>Made at or after <c>T_close</c>: kept in the ledger, ignored by every score and the crowd (§3.1).</summary>
    PostClose,

    /// <summary>Made before <c>T_open</c>. The command side rejects these (§3.1); the engine ignores any that slip through.</summary>
    BeforeOpen,
}
