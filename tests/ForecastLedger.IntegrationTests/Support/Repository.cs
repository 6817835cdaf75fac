namespace ForecastLedger.IntegrationTests.Support;

public static class Repository
{
    /// <summary>The checkout's root: the folder holding ForecastLedger.sln.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ForecastLedger.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ForecastLedger.sln not found above " + AppContext.BaseDirectory);
    }
}
