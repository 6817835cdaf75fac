using System.Security.Cryptography;

namespace ForecastLedger.LocalPostgres;

/// <summary>Files only their owner may read: the superuser password and initdb's short-lived copy of it.</summary>
internal static class SecretFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string NewPassword() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Read(string path) => File.ReadAllText(path).Trim();

    /// <summary>Writes via a temporary file and a rename, so a crash never leaves a half-written password behind.</summary>
    public static void WriteAtomically(string path, string content)
    {
        var temporary = path + ".tmp";
        Write(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }

    public static void Write(string path, string content)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Secret files rely on Unix file modes.");
        }

        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnly };
        using (var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options))
        {
            writer.Write(content);
        }

        // UnixCreateMode only applies to new files; make sure a pre-existing one is private too.
        File.SetUnixFileMode(path, OwnerOnly);
    }
}
