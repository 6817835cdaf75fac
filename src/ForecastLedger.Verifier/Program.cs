namespace ForecastLedger.Verifier;

/// <summary>The <c>forecastledger-verify</c> entry point.</summary>
internal static class VerifierProgram
{
    private static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await VerifierCli.RunAsync(args, Console.Out, cancel.Token);
    }
}
