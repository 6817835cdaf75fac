using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore;
using JasperFx.CommandLine;

namespace ForecastLedger.Api.Features.Ledger.Cli;

/// <summary>
/// <c>dotnet run --project src/ForecastLedger.Api -- migrate [--script schema.sql]</c>: brings the ledger's schema to this
/// build's version as a deployment step of its own (docs/adr/0022-migrations-as-a-step.md), on the configured database
/// (<c>ConnectionStrings:Ledger</c>, and <c>ConnectionStrings:LedgerMigrations</c> for the owner) or the zero-config
/// local cluster. With <c>--script</c> it only writes the SQL it would run.
/// </summary>
[Description("Apply the schema migration (Marten's delta, the ledger's scripts, projections, grants), or write it with --script", Name = "migrate")]
public sealed class MigrateCommand : JasperFxAsyncCommand<MigrateInput>
{
    public MigrateCommand()
    {
        Usage("Apply whatever is pending");
    }

    public override async Task<bool> Execute(MigrateInput input)
    {
        using var host = input.BuildHost();
        return await RunAsync(host.Services, input.ScriptFlag, Console.Out, Console.Error, CancellationToken.None) == 0;
    }

    /// <summary>Starts the database from <paramref name="services"/> (a host that is built, not started), migrates or writes the script, and stops it.</summary>
    /// <param name="script">The file to write the SQL to (a dry run), or null to apply.</param>
    /// <returns>0 on success (a dry run included, whether or not anything is pending); 1 with one line on <paramref name="error"/> on failure.</returns>
    public static async Task<int> RunAsync(IServiceProvider services, string? script, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var database = services.GetRequiredService<LedgerDatabase>();
        try
        {
            await database.StartAsync(ct);
            var migration = ActivatorUtilities.CreateInstance<LedgerMigration>(services);
            if (script is not null)
            {
                SchemaPlan plan;
                await using (var writer = new StreamWriter(script))
                {
                    plan = await migration.WriteScriptAsync(writer, ct);
                }

                await output.WriteLineAsync(plan.IsCurrent
                    ? $"The schema '{plan.Schema}' is current (version {plan.CurrentVersion}): nothing to apply. Wrote {script}."
                    : $"{plan.Describe()} Wrote the SQL to apply to {script}; nothing was applied.");
                return 0;
            }

            var before = await migration.PlanAsync(ct);
            await migration.ApplyAsync(ct);
            await output.WriteLineAsync(before.IsCurrent
                ? $"The schema '{before.Schema}' was already current (version {before.CurrentVersion}); nothing to apply."
                : $"Migrated the schema '{before.Schema}' from version {before.CurrentVersion} to {SchemaMigrator.LatestVersion}.");
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One line, not a stack trace: what failed and why, for the deployment log.
            await error.WriteLineAsync($"migrate failed: {OneLine(e)}");
            return 1;
        }
        finally
        {
            await database.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>The server's own words when PostgreSQL refused (Weasel and Marten wrap them in their SQL), else the message.</summary>
    internal static string OneLine(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is Npgsql.PostgresException pg)
            {
                return $"{pg.SqlState}: {pg.MessageText}".ReplaceLineEndings(" ");
            }
        }

        return e.Message.ReplaceLineEndings(" ");
    }
}
