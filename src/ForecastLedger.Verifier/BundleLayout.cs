namespace ForecastLedger.Verifier;

/// <summary>The files of a downloaded bundle (one folder). Only <see cref="Events"/> is required.</summary>
public static class BundleLayout
{
    /// <summary>The ledger, one event per line in seq order (GET /api/audit/export).</summary>
    public const string Events = "events.ndjson";

    /// <summary>Range, counts, Merkle root and the signed checkpoint covering it (GET /api/audit/export/manifest).</summary>
    public const string Manifest = "manifest.json";

    /// <summary>Every signed checkpoint, as a JSON array (GET /api/audit/checkpoints, all pages).</summary>
    public const string Checkpoints = "checkpoints.json";

    /// <summary>The published signing keys (GET /.well-known/forecastledger/keys).</summary>
    public const string Keys = "keys.json";

    /// <summary>Inclusion and consistency proofs fetched with the bundle.</summary>
    public const string Proofs = "proofs.json";

    /// <summary>The server's projections at one seq (GET /api/audit/export/projections).</summary>
    public const string Projections = "projections.ndjson";
}
