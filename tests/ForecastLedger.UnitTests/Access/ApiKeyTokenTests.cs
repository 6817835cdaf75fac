using System.Security.Cryptography;
using System.Text;
using ForecastLedger.Domain.Access;

namespace ForecastLedger.UnitTests.Access;

public sealed class ApiKeyTokenTests
{
    private const string Valid = "fl_AbCd1234_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

    [Fact]
    public void a_generated_key_has_the_documented_shape_and_parses_back()
    {
        var token = ApiKeyToken.Generate();

        Assert.Matches("^fl_[0-9A-Za-z]{8}_[0-9A-Za-z]{43}$", token.Value);
        Assert.True(ApiKeyToken.TryParse(token.Value, out var parsed));
        Assert.Equal(token.Prefix, parsed.Prefix);
        Assert.Equal(token.Value, parsed.Value);
    }

    [Fact]
    public void a_generated_secret_carries_at_least_256_bits()
    {
        Assert.True(ApiKeyToken.SecretLength * Math.Log2(ApiKeyToken.Alphabet.Length) >= 256);
        Assert.Equal(62, ApiKeyToken.Alphabet.Distinct().Count());
    }

    [Fact]
    public void generated_keys_are_distinct_and_use_the_whole_alphabet()
    {
        var tokens = Enumerable.Range(0, 200).Select(_ => ApiKeyToken.Generate()).ToList();

        Assert.Equal(tokens.Count, tokens.Select(t => t.Value).Distinct().Count());
        Assert.Equal(tokens.Count, tokens.Select(t => t.Prefix).Distinct().Count());
        Assert.Equal(62, tokens.SelectMany(t => t.Value[12..]).Distinct().Count());
    }

    [Fact]
    public void a_valid_key_parses_into_its_prefix()
    {
        Assert.True(ApiKeyToken.TryParse(Valid, out var token));
        Assert.Equal("AbCd1234", token.Prefix);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("fl_AbCd1234_0123456789abcdefghijklmnopqrstuvwxyzABCDEF")]            // 42-character secret
    [InlineData("xx_AbCd1234_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG")]           // wrong scheme
    [InlineData("fl_AbCd123_40123456789abcdefghijklmnopqrstuvwxyzABCDEFG")]           // 7-character prefix
    [InlineData("fl_AbCd1234-0123456789abcdefghijklmnopqrstuvwxyzABCDEFG")]           // wrong separator
    [InlineData("fl_AbCd12-4_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG")]           // non-base62 prefix
    [InlineData("fl_AbCd1234_0123456789abcdefghijklmnopqrstuvwxyzABCDEF_")]           // non-base62 secret
    [InlineData("fl_AbCd1234_0123456789abcdefghijklmnopqrstuvwxyzABCDEF=")]
    [InlineData(" fl_AbCd1234_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG")]
    [InlineData("Bearer fl_AbCd1234_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG")]
    public void anything_else_is_rejected(string? value) => Assert.False(ApiKeyToken.TryParse(value, out _));

    [Fact]
    public void secrets_longer_than_generated_ones_are_accepted_up_to_the_maximum()
    {
        Assert.True(ApiKeyToken.TryParse("fl_AbCd1234_" + new string('x', ApiKeyToken.MaxSecretLength), out _));
        Assert.False(ApiKeyToken.TryParse("fl_AbCd1234_" + new string('x', ApiKeyToken.MaxSecretLength + 1), out _));
    }

    [Fact]
    public void the_hash_is_sha256_of_the_whole_key()
    {
        Assert.True(ApiKeyToken.TryParse(Valid, out var token));

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(Valid)), token.Hash());
        Assert.Equal(32, token.Hash().Length);
    }

    [Fact]
    public void the_key_matches_its_own_hash_only()
    {
        Assert.True(ApiKeyToken.TryParse(Valid, out var token));
        var other = ApiKeyToken.Generate();
        var sameSecretOtherPrefix = "fl_AbCd1235_" + Valid[12..];
        Assert.True(ApiKeyToken.TryParse(sameSecretOtherPrefix, out var shifted));

        Assert.True(token.Matches(token.Hash()));
        Assert.False(token.Matches(other.Hash()));
        Assert.False(shifted.Matches(token.Hash()));
        Assert.False(token.Matches(token.Hash().AsSpan(0, 31)));
        Assert.False(token.Matches([]));
    }

    [Fact]
    public void to_string_never_shows_the_secret()
    {
        var token = ApiKeyToken.Generate();

        Assert.DoesNotContain(token.Value[12..], token.ToString(), StringComparison.Ordinal);
        Assert.StartsWith($"fl_{token.Prefix}_", token.ToString(), StringComparison.Ordinal);
    }
}
