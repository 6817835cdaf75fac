using ForecastLedger.Api.Features.Ledger.Cli;
using ForecastLedger.Api.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ForecastLedger.IntegrationTests.Support;

/// <summary>The host the CLI verbs build (built, never started), and the verbs run on it as the command line runs them.</summary>
public static class CliHosts
{
    public static IHost Build(IReadOnlyDictionary<string, string?> settings, ILoggerProvider? logs = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddLedgerEventStore(builder.Configuration);
        builder.Services.AddLedgerProjections(builder.Configuration);
        return builder.Build();
    }

    /// <summary><c>migrate</c> (with <paramref name="script"/>: <c>migrate --script</c>): its exit code and what it wrote.</summary>
    public static async Task<(int Code, string Output, string Error)> MigrateAsync(
        IReadOnlyDictionary<string, string?> settings, string? script = null, ILoggerProvider? logs = null)
    {
        using var host = Build(settings, logs);
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await MigrateCommand.RunAsync(host.Services, script, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The first <typeparamref name="T"/> in <paramref name="e"/>'s chain of inner exceptions, aggregates included.</summary>
    public static Exception? Innermost<T>(Exception e)
        where T : Exception
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is T)
            {
                return inner;
            }

            if (inner is AggregateException aggregate && aggregate.InnerExceptions.Select(Innermost<T>).FirstOrDefault(x => x is not null) is { } found)
            {
                return found;
            }
        }

        return null;
    }
}
