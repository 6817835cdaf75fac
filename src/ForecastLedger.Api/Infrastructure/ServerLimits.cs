using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// Kestrel's connection limits and timeouts, set on purpose (ADR 0019). Every value is read from the standard
/// <c>Kestrel:Limits:*</c> keys, with the ledger's own defaults where Kestrel's would let a client take the process down:
/// Kestrel accepts unlimited connections by default, and once the process runs out of file descriptors it is not the
/// next client that fails but the process (the checkpoint publisher, the database pool, the runtime itself).
/// </summary>
/// <param name="MaxConcurrentConnections">Open connections beyond which Kestrel closes a new one at once.</param>
/// <param name="MaxConcurrentUpgradedConnections">Upgraded (WebSocket) connections; the API upgrades none today.</param>
/// <param name="KeepAliveTimeout">How long an idle keep-alive connection is kept.</param>
/// <param name="RequestHeadersTimeout">How long a client may take to send a request's headers (a connection that sends nothing is closed after it).</param>
/// <param name="MaxRequestBodySize">The largest request body in bytes (413 beyond it).</param>
public sealed record ServerLimits(
    long MaxConcurrentConnections,
    long MaxConcurrentUpgradedConnections,
    TimeSpan KeepAliveTimeout,
    TimeSpan RequestHeadersTimeout,
    long MaxRequestBodySize)
{
    public const string Section = "Kestrel:Limits";

    /// <summary>Never more connections than this by default, however high the descriptor limit.</summary>
    public const long ConnectionCeiling = 10_000;

    /// <summary>The default where the descriptor limit cannot be read (not Linux).</summary>
    public const long ConnectionsWhenDescriptorLimitUnknown = 1_000;

    public const long DefaultMaxConcurrentUpgradedConnections = 100;
    public const long DefaultMaxRequestBodySize = 64 * 1024;
    public static readonly TimeSpan DefaultKeepAliveTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultRequestHeadersTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The limits configured under <c>Kestrel:Limits</c>, with the ledger's defaults for the keys not set.</summary>
    public static ServerLimits From(IConfiguration configuration, long? openFilesLimit)
    {
        var section = configuration.GetSection(Section);
        return new ServerLimits(
            section.GetValue<long?>(nameof(KestrelServerLimits.MaxConcurrentConnections)) ?? DefaultMaxConcurrentConnections(openFilesLimit),
            section.GetValue<long?>(nameof(KestrelServerLimits.MaxConcurrentUpgradedConnections)) ?? DefaultMaxConcurrentUpgradedConnections,
            section.GetValue<TimeSpan?>(nameof(KestrelServerLimits.KeepAliveTimeout)) ?? DefaultKeepAliveTimeout,
            section.GetValue<TimeSpan?>(nameof(KestrelServerLimits.RequestHeadersTimeout)) ?? DefaultRequestHeadersTimeout,
            section.GetValue<long?>(nameof(KestrelServerLimits.MaxRequestBodySize)) ?? DefaultMaxRequestBodySize);
    }

    /// <summary>
    /// Half the process's soft descriptor limit, at most <see cref="ConnectionCeiling"/>: the other half stays for the
    /// database pools, files, the runtime, and the sockets Kestrel accepts only to close them at once when full.
    /// </summary>
    public static long DefaultMaxConcurrentConnections(long? openFilesLimit) => openFilesLimit is { } limit
        ? Math.Clamp(limit / 2, 1, ConnectionCeiling)
        : ConnectionsWhenDescriptorLimitUnknown;

    public void ApplyTo(KestrelServerLimits limits)
    {
        limits.MaxConcurrentConnections = MaxConcurrentConnections;
        limits.MaxConcurrentUpgradedConnections = MaxConcurrentUpgradedConnections;
        limits.KeepAliveTimeout = KeepAliveTimeout;
        limits.RequestHeadersTimeout = RequestHeadersTimeout;
        limits.MaxRequestBodySize = MaxRequestBodySize;
    }

    /// <summary>This process's soft limit on open files (<c>ulimit -n</c>) from <c>/proc/self/limits</c>; null where unknown or unlimited.</summary>
    public static long? SoftOpenFilesLimit()
    {
        try
        {
            return File.Exists("/proc/self/limits") ? ParseSoftOpenFiles(File.ReadAllText("/proc/self/limits")) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The soft limit in the "Max open files" line of a <c>/proc/[pid]/limits</c> text; null if absent or unlimited.</summary>
    public static long? ParseSoftOpenFiles(string procLimits)
    {
        const string Name = "Max open files";
        var line = procLimits.Split('\n').FirstOrDefault(l => l.StartsWith(Name, StringComparison.Ordinal));
        var soft = line?[Name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;
    }
}
