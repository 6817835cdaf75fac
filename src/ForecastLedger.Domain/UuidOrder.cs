namespace ForecastLedger.Domain;

/// <summary>
/// Uuids in RFC 4122 byte order: PostgreSQL's uuid order, and the ordinal order of their lowercase text. Pages and sums
/// computed in memory follow it so they match what <c>ORDER BY</c> reads.
/// </summary>
public sealed class UuidOrder : IComparer<Guid>
{
    public static readonly UuidOrder Instance = new();

    public int Compare(Guid x, Guid y)
    {
        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        x.TryWriteBytes(a, bigEndian: true, out _);
        y.TryWriteBytes(b, bigEndian: true, out _);
        return a.SequenceCompareTo(b);
    }
}
