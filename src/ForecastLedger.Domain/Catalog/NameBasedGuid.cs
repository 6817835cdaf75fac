using System.Security.Cryptography;
using System.Text;

namespace ForecastLedger.Domain.Catalog;

/// <summary>Name-based UUIDs, version 5 (RFC 9562 §5.5): the same namespace and name always give the same id.</summary>
public static class NameBasedGuid
{
    public static Guid Create(Guid namespaceId, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        namespaceId.TryWriteBytes(input, bigEndian: true, out _);
        nameBytes.CopyTo(input, 16);

        // RFC 9562 defines v5 over SHA-1; the hash only spreads names over ids here, it protects nothing.
#pragma warning disable CA5350
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
