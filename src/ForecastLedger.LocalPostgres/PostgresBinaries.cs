namespace ForecastLedger.LocalPostgres;

/// <summary>Finds the PostgreSQL server binaries (<c>initdb</c>, <c>pg_ctl</c>, <c>postgres</c>) on this machine.</summary>
public static class PostgresBinaries
{
    /// <summary>Environment variable naming a directory that holds the PostgreSQL server binaries.</summary>
    public const string BinDirectoryVariable = "FORECASTLEDGER_PG_BIN";

    internal const string DebianInstallRoot = "/usr/lib/postgresql";

    private static readonly string[] RequiredBinaries = ["initdb", "pg_ctl", "postgres"];

    /// <summary>
    /// Returns the directory holding <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c>. Searched in order:
    /// <paramref name="explicitBinDirectory"/>; the <c>FORECASTLEDGER_PG_BIN</c> environment variable; the
    /// directories on <c>PATH</c>; <c>/usr/lib/postgresql/*/bin</c>, highest major version first.
    /// An explicit directory or the environment variable, when given, is the only place searched: silently
    /// falling back to another version than the one asked for would be worse than failing.
    /// </summary>
    /// <exception cref="PostgresBinariesNotFoundException">No directory holds all three binaries.</exception>
    public static string Locate(string? explicitBinDirectory) =>
        Locate(
            explicitBinDirectory,
            Environment.GetEnvironmentVariable(BinDirectoryVariable),
            Environment.GetEnvironmentVariable("PATH"),
            DebianInstallRoot);

    /// <summary>The search behind <see cref="Locate(string?)"/> with its inputs made explicit, for tests.</summary>
    internal static string Locate(string? explicitBinDirectory, string? environmentBinDirectory, string? pathVariable, string debianInstallRoot)
    {
        if (!string.IsNullOrWhiteSpace(explicitBinDirectory))
        {
            return HasServerBinaries(explicitBinDirectory)
                ? Path.GetFullPath(explicitBinDirectory)
                : throw new PostgresBinariesNotFoundException(
                    $"PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in the configured BinDirectory {explicitBinDirectory}. " +
                    "Point it at a PostgreSQL bin directory (e.g. /usr/lib/postgresql/15/bin) or leave it unset to search the machine.");
        }

        if (!string.IsNullOrWhiteSpace(environmentBinDirectory))
        {
            return HasServerBinaries(environmentBinDirectory)
                ? Path.GetFullPath(environmentBinDirectory)
                : throw new PostgresBinariesNotFoundException(
                    $"PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in {BinDirectoryVariable}={environmentBinDirectory}. " +
                    "Point it at a PostgreSQL bin directory (e.g. /usr/lib/postgresql/15/bin) or unset it to search the machine.");
        }

        var found = PathDirectories(pathVariable).Concat(DebianBinDirectories(debianInstallRoot)).FirstOrDefault(HasServerBinaries);
        return found is not null
            ? ThroughSymlinks(found)
            : throw new PostgresBinariesNotFoundException(
                $"PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH, in {debianInstallRoot}/*/bin or in {BinDirectoryVariable}. " +
                "Install them (Debian/Ubuntu: apt-get install postgresql) or set ConnectionStrings:Ledger to use an existing server.");
    }

    /// <summary>Directories on PATH, skipping empty entries (which would mean the current directory).</summary>
    internal static IEnumerable<string> PathDirectories(string? pathVariable) =>
        (pathVariable ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(Path.IsPathFullyQualified);

    /// <summary><c>/usr/lib/postgresql/&lt;version&gt;/bin</c>, newest version first (Debian keeps several side by side).</summary>
    private static IEnumerable<string> DebianBinDirectories(string installRoot)
    {
        if (!Directory.Exists(installRoot))
        {
            return [];
        }

        return Directory.EnumerateDirectories(installRoot)
            .Select(dir => (Dir: dir, Version: ParseVersion(Path.GetFileName(dir))))
            .Where(entry => entry.Version is not null)
            .OrderByDescending(entry => entry.Version)
            .Select(entry => Path.Combine(entry.Dir, "bin"));
    }

    private static Version? ParseVersion(string name)
    {
        // Directory names are "15", "16" or, before PostgreSQL 10, "9.6"; Version needs at least major.minor.
        var text = name.Contains('.', StringComparison.Ordinal) ? name : name + ".0";
        return Version.TryParse(text, out var version) ? version : null;
    }

    /// <summary>
    /// PATH often holds symlinks into the real installation (/usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb);
    /// the real directory is what logs and error messages should name.
    /// </summary>
    private static string ThroughSymlinks(string directory)
    {
        var target = new FileInfo(Path.Combine(directory, "initdb")).ResolveLinkTarget(returnFinalTarget: true);
        var targetDirectory = target is null ? null : Path.GetDirectoryName(target.FullName);
        return targetDirectory is not null && HasServerBinaries(targetDirectory)
            ? targetDirectory
            : Path.GetFullPath(directory);
    }

    private static bool HasServerBinaries(string directory) =>
        RequiredBinaries.All(name => IsExecutableFile(Path.Combine(directory, name)));

    internal static bool IsExecutableFile(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }
}
