using System.Security.Cryptography;

namespace ForecastLedger.LocalPostgres;

/// <summary>Files only their owner may read: the cluster's passwords and initdb's short-lived copy of the superuser's.</summary>
public static class SecretFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    internal static string NewPassword() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    internal static string Read(string path) => File.ReadAllText(path).Trim();

    /// <summary>
    /// The secret in <paramref name="path"/>, made with <see cref="NewPassword"/> when there is none yet. Written to a
    /// temporary file and moved into place without overwriting, so two processes starting at once both read the one
    /// that landed first, never a half-written file.
    /// </summary>
    public static string ReadOrCreatePassword(string path)
    {
        if (!File.Exists(path))
        {
            var temporary = $"{path}.{Environment.ProcessId}.tmp";
            Write(temporary, NewPassword());
            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary); // another process's landed first: use theirs
            }
        }

        return Read(path);
    }

    /// <summary>Writes via a temporary file and a rename, so a crash never leaves a half-written password behind.</summary>
    internal static void WriteAtomically(string path, string content)
    {
        var temporary = path + ".tmp";
        Write(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }

    internal static void Write(string path, string content)
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
