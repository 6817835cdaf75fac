namespace ForecastLedger.Api.Features.PointInTime;

/// <summary>PostgreSQL's uuid order (bytes in RFC 4122 order), so pages computed in memory match pages read with ORDER BY.</summary>
public sealed class PgUuidOrder : IComparer<Guid>
{
    public static readonly PgUuidOrder Instance = new();

    public int Compare(Guid x, Guid y)
    {
        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        x.TryWriteBytes(a, bigEndian: true, out _);
        y.TryWriteBytes(b, bigEndian: true, out _);
        return a.SequenceCompareTo(b);
    }
}
