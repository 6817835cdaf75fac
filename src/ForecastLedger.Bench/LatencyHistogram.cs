using System.Numerics;

namespace ForecastLedger.Bench;

/// <summary>
/// A log-linear latency histogram in microseconds, in the manner of HdrHistogram: exact below 128 µs, then 64 buckets
/// per power of two (relative error under 1.6 %). Not thread-safe: one per client, merged at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int Exact = 128;
    private const int SubBuckets = 64;
    private readonly long[] _counts = new long[Exact + (64 * SubBuckets)];

    public long Count { get; private set; }

    public long Max { get; private set; }

    public double Sum { get; private set; }

    public void Record(long micros)
    {
        if (micros < 0)
        {
            micros = 0;
        }

        _counts[Index(micros)]++;
        Count++;
        Sum += micros;
        if (micros > Max)
        {
            Max = micros;
        }
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Sum += other.Sum;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The value at a percentile (0–100), as the upper edge of its bucket, in microseconds.</summary>
    public long Percentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(percentile / 100.0 * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperEdge(i), Max);
            }
        }

        return Max;
    }

    public double Mean => Count == 0 ? 0 : Sum / Count;

    internal static int Index(long value)
    {
        if (value < Exact)
        {
            return (int)value;
        }

        var msb = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var shift = msb - 6;
        return Exact + ((shift - 1) * SubBuckets) + (int)((value >> shift) - SubBuckets);
    }

    internal static long UpperEdge(int index)
    {
        if (index < Exact)
        {
            return index;
        }

        var shift = ((index - Exact) / SubBuckets) + 1;
        var mantissa = ((index - Exact) % SubBuckets) + SubBuckets;
        return ((long)(mantissa + 1) << shift) - 1;
    }
}
