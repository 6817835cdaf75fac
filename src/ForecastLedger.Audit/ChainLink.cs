using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ForecastLedger.Audit;

/// <summary>
/// The one link function of both chains: <c>SHA-256(prev ‖ int64be(position) ‖ hash)</c>. The stream chain links by
/// version (<see cref="EventHashing.ChainHash"/>), the global chain by seq (<see cref="GlobalChain.Hash"/>).
/// </summary>
internal static class ChainLink
{
    public static byte[] Hash(ReadOnlySpan<byte> prev, long position, ReadOnlySpan<byte> hash)
    {
        Span<byte> input = stackalloc byte[prev.Length + 8 + hash.Length];
        prev.CopyTo(input);
        BinaryPrimitives.WriteInt64BigEndian(input[prev.Length..], position);
        hash.CopyTo(input[(prev.Length + 8)..]);
        return SHA256.HashData(input);
    }
}
