using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore;
using ForecastLedger.EventStore.Projections;
using JasperFx.CommandLine;

namespace ForecastLedger.Api.Features.Scoring.Cli;

/// <summary>What <c>ledger-projections</c> does.</summary>
public enum ProjectionsAction
{
    /// <summary>Print every projection's state, checkpoint and lag.</summary>
    Status,

    /// <summary>Rebuild one projection, or all of them, and wait until done.</summary>
    Rebuild,
}

/// <summary>Input of <c>ledger-projections</c>.</summary>
public sealed class ProjectionsInput : NetCoreInput
{
    [Description("status or rebuild")]
    public string Action { get; set; } = "status";

    [Description("The projection to rebuild (default: every projection)")]
    public string Name { get; set; } = "";
}

/// <summary>
/// <c>dotnet run --project src/ForecastLedger.Api -- ledger-projections status|rebuild [name]</c>: the CLI twin of the admin
/// projection endpoints, on the configured database (or the zero-config local cluster, shared if the service runs it).
/// </summary>
/// <remarks>
/// The command starts the database, not the web server nor a daemon. A rebuild runs in this process, in one transaction
/// (<see cref="LedgerProjections.RebuildAsync"/>, docs/adr/0027): it replays the global chain up to its head, and the
/// daemon's leader (a running service, if there is one) carries on from there.
/// </remarks>
[Description("Show projection status, or rebuild a projection from the ledger", Name = "ledger-projections")]
public sealed class ProjectionsCommand : JasperFxAsyncCommand<ProjectionsInput>
{
    public ProjectionsCommand()
    {
        Usage("Show every projection's status").Arguments(x => x.Action);
        Usage("Rebuild one projection").Arguments(x => x.Action, x => x.Name);
    }

    public override async Task<bool> Execute(ProjectionsInput input)
    {
        if (!Enum.TryParse<ProjectionsAction>(input.Action, ignoreCase: true, out var action) || !Enum.IsDefined(action))
        {
            await Console.Error.WriteLineAsync($"Unknown action '{input.Action}': use status or rebuild.");
            return false;
        }

        using var host = input.BuildHost();
        return await RunAsync(host.Services, action, string.IsNullOrEmpty(input.Name) ? null : input.Name, Console.Out, CancellationToken.None) == 0;
    }

    /// <summary>Starts the database and the daemon from <paramref name="services"/> (a host that is built, not started), acts, and stops them.</summary>
    /// <returns>0 on success, 1 when the projection is unknown or a rebuild stopped on a poison event.</returns>
    public static async Task<int> RunAsync(IServiceProvider services, ProjectionsAction action, string? name, TextWriter output, CancellationToken ct)
    {
        var startup = ActivatorUtilities.CreateInstance<LedgerStartup>(services);
        await startup.StartAsync(ct);
        var projections = services.GetRequiredService<LedgerProjections>();
        try
        {
            if (name is not null && !projections.Projections.Contains(name))
            {
                await output.WriteLineAsync($"Unknown projection '{name}'. Known: {string.Join(", ", projections.Projections.Order(StringComparer.Ordinal))}.");
                return 1;
            }

            if (action == ProjectionsAction.Rebuild)
            {
                foreach (var projection in name is null ? [.. projections.Projections.Order(StringComparer.Ordinal)] : new[] { name })
                {
                    var started = TimeProvider.System.GetTimestamp();
                    try
                    {
                        await projections.RebuildAsync(projection, ct);
                    }
                    catch (ProjectionStoppedException e)
                    {
                        await output.WriteLineAsync($"{projection}: the rebuild stopped at seq {e.ErrorSeq}: {e.Error}");
                        return 1;
                    }

                    var status = await projections.GetStatusAsync(projection, ct);
                    await output.WriteLineAsync(
                        $"{projection}: rebuilt to seq {status.Checkpoint} in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.000} s");
                }
            }

            foreach (var status in await projections.GetStatusAsync(ct))
            {
                if (name is null || status.Name == name)
                {
                    await output.WriteLineAsync(
                        $"{status.Name}: {ProjectionStatus.Format(status.State)} checkpoint={status.Checkpoint} high-water={status.HighWaterMark} lag={status.Lag}"
                        + (status.ErrorSeq is { } seq ? $" stopped at seq {seq}: {status.Error}" : ""));
                }
            }

            return 0;
        }
        finally
        {
            await startup.StopAsync(CancellationToken.None);
        }
    }
}
