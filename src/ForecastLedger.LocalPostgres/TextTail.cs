using System.Text;

namespace ForecastLedger.LocalPostgres;

/// <summary>Trims command output and log files to their last lines for exception messages.</summary>
internal static class TextTail
{
    private const int DefaultLines = 20;

    public static string Of(string text, int lines = DefaultLines)
    {
        var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(Environment.NewLine, all.TakeLast(lines));
    }

    /// <summary>The last lines of a file written from <paramref name="fromOffset"/> on; empty when unreadable.</summary>
    public static string OfFile(string path, long fromOffset = 0, int lines = DefaultLines)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            // Only the end matters; a long-lived server.log can be large.
            stream.Seek(Math.Max(fromOffset, stream.Length - (64 * 1024)), SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return Of(reader.ReadToEnd(), lines);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    public static long LengthOf(string path)
    {
        try
        {
            var file = new FileInfo(path);
            return file.Exists ? file.Length : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
