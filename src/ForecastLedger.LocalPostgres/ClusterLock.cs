using System.Globalization;
using System.Text;

namespace ForecastLedger.LocalPostgres;

/// <summary>
/// An exclusive lock on <c>&lt;root&gt;/service.lock</c>, held for as long as a service instance owns the cluster.
/// .NET implements <see cref="FileShare.None"/> with flock on Linux, which the kernel releases when the process
/// dies, however it dies. So at startup a free lock next to a running server means its owner crashed (adopt it),
/// and a taken lock means a live instance runs it (share it, never stop it).
/// </summary>
internal sealed class ClusterLock : IDisposable
{
    private readonly FileStream _stream;

    private ClusterLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock, or returns null when another open handle (in any process) holds it.</summary>
    public static ClusterLock? TryAcquire(string path)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, options);
        }
        catch (IOException ex) when (ex is not (DirectoryNotFoundException or FileNotFoundException or PathTooLongException))
        {
            return null;
        }

        // The owner's pid, for people wondering who holds the lock; nothing reads it.
        stream.SetLength(0);
        stream.Write(Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
        stream.Flush();
        return new ClusterLock(stream);
    }

    public void Dispose() => _stream.Dispose();
}
