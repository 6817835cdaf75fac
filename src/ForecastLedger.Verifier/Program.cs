using ForecastLedger.Verifier;

return await VerifierCli.RunAsync(args, Console.Out, CancellationToken.None);
