using System.Security.Cryptography;
using System.Text;
using ForecastLedger.Audit;

namespace ForecastLedger.UnitTests.Audit;

public sealed class CheckpointSigningTests
{
    private static readonly CheckpointBody Body = new(42, 57, new string('a', 64), new string('b', 64), "2026-01-01T00:00:00.000000Z", "0123456789abcdef");

    [Fact]
    public void the_signed_payload_is_the_canonical_json_of_the_six_fields()
    {
        Assert.Equal(
            """{"globalHash":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","keyId":"0123456789abcdef","lastSeq":57,"rootHash":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","timestamp":"2026-01-01T00:00:00.000000Z","treeSize":42}""",
            Encoding.UTF8.GetString(CheckpointSigning.Payload(Body)));
    }

    [Fact]
    public void a_signature_verifies_with_its_key_and_fails_for_any_change()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = key.ExportSubjectPublicKeyInfo();
        var signature = CheckpointSigning.Sign(Body, key);

        Assert.Equal(64, CheckpointSigning.Base64UrlDecode(signature).Length);
        Assert.DoesNotContain('=', signature);
        Assert.True(CheckpointSigning.Verify(Body, signature, spki));
        Assert.False(CheckpointSigning.Verify(Body, signature, other.ExportSubjectPublicKeyInfo()));
        Assert.False(CheckpointSigning.Verify(Body with { TreeSize = 43 }, signature, spki));
        Assert.False(CheckpointSigning.Verify(Body with { RootHash = new string('c', 64) }, signature, spki));
        Assert.False(CheckpointSigning.Verify(Body with { Timestamp = "2026-01-01T00:00:00.000001Z" }, signature, spki));
        Assert.False(CheckpointSigning.Verify(Body, "not*base64", spki));
        Assert.False(CheckpointSigning.Verify(Body, signature, [1, 2, 3]));
    }

    [Fact]
    public void the_key_id_is_the_first_16_hex_digits_of_the_spki_digest()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = key.ExportSubjectPublicKeyInfo();
        var id = CheckpointSigning.KeyId(spki);
        Assert.Equal(16, id.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(spki))[..16], id);
    }

    [Fact]
    public void the_global_chain_binds_the_previous_link_the_seq_and_the_hash()
    {
        var hash = SHA256.HashData([1]);
        var first = GlobalChain.Hash(GlobalChain.Genesis.Span, 1, hash);
        Assert.Equal(SHA256.HashData([.. new byte[32], 0, 0, 0, 0, 0, 0, 0, 1, .. hash]), first);
        Assert.NotEqual(first, GlobalChain.Hash(GlobalChain.Genesis.Span, 2, hash));
        Assert.NotEqual(first, GlobalChain.Hash(first, 1, hash));
    }
}
