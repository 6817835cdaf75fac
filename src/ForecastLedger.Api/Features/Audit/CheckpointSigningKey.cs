using System.Security.Cryptography;
using ForecastLedger.Audit;
using ForecastLedger.EventStore.Audit;

namespace ForecastLedger.Api.Features.Audit;

/// <summary>
/// The ECDSA P-256 key that signs checkpoints, kept as a PKCS#8 PEM file readable by its owner only (0600). Created at
/// first start when the file does not exist. Rotation (docs/audit.md): point <c>Audit:SigningKeyPath</c> at a new path
/// (or move the old file away) and restart; the first checkpoint the new key signs retires the old one, whose public key
/// stays published.
/// </summary>
public sealed class CheckpointSigningKey : ICheckpointSigner, IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly ECDsa _key;

    private CheckpointSigningKey(ECDsa key, string path, bool created)
    {
        _key = key;
        Path = path;
        Created = created;
        PublicKeySpki = key.ExportSubjectPublicKeyInfo();
        KeyId = CheckpointSigning.KeyId(PublicKeySpki);
    }

    /// <summary>Where the private key lives.</summary>
    public string Path { get; }

    /// <summary>True when this start created the file.</summary>
    public bool Created { get; }

    /// <inheritdoc />
    public byte[] PublicKeySpki { get; }

    /// <inheritdoc />
    public string KeyId { get; }

    /// <summary>Loads the key at <paramref name="path"/>, creating it (and its directory, 0700) when it does not exist.</summary>
    public static CheckpointSigningKey LoadOrCreate(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        if (File.Exists(path))
        {
            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(path));
            if (key.KeySize != 256)
            {
                key.Dispose();
                throw new InvalidOperationException($"The checkpoint signing key {path} is not an ECDSA P-256 key.");
            }

            return new CheckpointSigningKey(key, path, created: false);
        }

        var directory = System.IO.Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = created.ExportPkcs8PrivateKeyPem();
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using (var writer = new StreamWriter(temporary, System.Text.Encoding.ASCII, options))
        {
            writer.Write(pem);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, OwnerOnly);
        }

        try
        {
            // No overwrite: if another process created the key meanwhile, its key wins and this one is discarded.
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            created.Dispose();
            return LoadOrCreate(path);
        }

        return new CheckpointSigningKey(created, path, created: true);
    }

    /// <inheritdoc />
    public string Sign(CheckpointBody body) => CheckpointSigning.Sign(body, _key);

    /// <summary>Signs a forecast receipt with the same key (docs/receipts.md).</summary>
    public SignedReceipt Sign(ReceiptBody body) => ReceiptSigning.Sign(body, _key);

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();
}
