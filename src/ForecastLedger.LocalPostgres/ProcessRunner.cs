using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ForecastLedger.LocalPostgres;

/// <summary>An executable and its arguments, passed to the OS as an argument vector (never through a shell).</summary>
internal sealed record ProcessCommand(string FileName, IReadOnlyList<string> Arguments)
{
    public override string ToString() => string.Join(' ', new[] { FileName }.Concat(Arguments));
}

/// <summary>Exit code and captured output of a finished process.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The last lines of stdout and stderr, for exception messages.</summary>
    public string OutputTail() => TextTail.Of(StandardOutput + StandardError);
}

/// <summary>Runs short-lived commands (initdb, pg_ctl, chown) and captures their output.</summary>
internal static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(ProcessCommand command, ILogger logger, CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo(command.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // When running as root the binaries run as the postgres user, who may not be able to read our
            // current directory (e.g. /root); initdb and pg_ctl fail on an unreadable working directory.
            WorkingDirectory = "/",
        };
        foreach (var argument in command.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        logger.LogDebug("Running {Command}", command);
        using var process = Process.Start(startInfo)
            ?? throw new LocalClusterException($"Could not start {command.FileName}.");
        process.StandardInput.Close();

        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var result = new ProcessResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        logger.LogDebug("{Command} exited with {ExitCode}", command.FileName, result.ExitCode);
        return result;
    }

    /// <summary>Runs the command and throws <see cref="LocalClusterException"/> with its output if it fails.</summary>
    public static async Task<ProcessResult> RunCheckedAsync(ProcessCommand command, string what, ILogger logger, CancellationToken ct)
    {
        var result = await RunAsync(command, logger, ct).ConfigureAwait(false);
        return result.Succeeded
            ? result
            : throw new LocalClusterException(
                $"{what} failed (exit code {result.ExitCode}): {command}{Environment.NewLine}{result.OutputTail()}");
    }
}
