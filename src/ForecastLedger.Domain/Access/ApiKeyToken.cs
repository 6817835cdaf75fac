using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace ForecastLedger.Domain.Access;

/// <summary>
/// An API key: <c>fl_{prefix}_{secret}</c>. The prefix (8 base62 characters) is public: it names the key in lists,
/// events and logs, and it is what the server looks the key up by. The secret (43 base62 characters, 256 bits from
/// the operating system's CSPRNG) never leaves the client after it is shown once. The server stores only
/// SHA-256 of the whole key (docs/adr/0005-api-key-hashing.md).
/// </summary>
public sealed record ApiKeyToken
{
    public const string Scheme = "fl";
    public const int PrefixLength = 8;

    /// <summary>43 base62 characters carry 43 × log2(62) ≈ 256.03 bits.</summary>
    public const int SecretLength = 43;

    /// <summary>Operator-supplied keys may be longer than generated ones, never shorter.</summary>
    public const int MaxSecretLength = 128;

    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private ApiKeyToken(string prefix, string value)
    {
        Prefix = prefix;
        Value = value;
    }

    /// <summary>The public lookup prefix.</summary>
    public string Prefix { get; }

    /// <summary>The whole key, as the client sends it. Show it once; never store or log it.</summary>
    public string Value { get; }

    /// <summary>A new key with 256 bits of secret from <see cref="RandomNumberGenerator"/> (unbiased base62).</summary>
    public static ApiKeyToken Generate()
    {
        var prefix = RandomNumberGenerator.GetString(Alphabet, PrefixLength);
        var secret = RandomNumberGenerator.GetString(Alphabet, SecretLength);
        return new ApiKeyToken(prefix, $"{Scheme}_{prefix}_{secret}");
    }

    /// <summary>
    /// Parses <c>fl_{8 base62}_{43–128 base62}</c>. Anything else, including a too-short secret, is rejected, so the
    /// server never looks up or hashes input that cannot be a key.
    /// </summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out ApiKeyToken? token)
    {
        token = null;
        const int secretStart = 3 + PrefixLength + 1;
        if (value is null
            || value.Length < secretStart + SecretLength
            || value.Length > secretStart + MaxSecretLength
            || !value.StartsWith(Scheme + "_", StringComparison.Ordinal)
            || value[3 + PrefixLength] != '_')
        {
            return false;
        }

        var prefix = value.AsSpan(3, PrefixLength);
        var secret = value.AsSpan(secretStart);
        if (!IsBase62(prefix) || !IsBase62(secret))
        {
            return false;
        }

        token = new ApiKeyToken(prefix.ToString(), value);
        return true;
    }

    /// <summary>SHA-256 of the whole key (UTF-8). Keys carry 256 bits of entropy, so a fast hash is enough (ADR 0005).</summary>
    public byte[] Hash() => SHA256.HashData(Encoding.UTF8.GetBytes(Value));

    /// <summary>True when this key hashes to <paramref name="storedHash"/>; compares in constant time.</summary>
    public bool Matches(ReadOnlySpan<byte> storedHash) => CryptographicOperations.FixedTimeEquals(Hash(), storedHash);

    /// <summary>Never print the secret by accident.</summary>
    public override string ToString() => $"{Scheme}_{Prefix}_…";

    private static bool IsBase62(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'A' and <= 'Z') or (>= 'a' and <= 'z')))
            {
                return false;
            }
        }

        return true;
    }
}
