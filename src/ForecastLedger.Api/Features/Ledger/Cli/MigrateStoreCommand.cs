using System.Globalization;
using System.Runtime.InteropServices;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.EventStore;
using JasperFx.CommandLine;

namespace ForecastLedger.Api.Features.Ledger.Cli;

/// <summary>
/// <c>dotnet run --project src/ForecastLedger.Api -- migrate-store [--batch-size N]</c>: moves a ledger still in the
/// home-made store (schema version 10) into Marten's tables (docs/adr/0026-resumable-store-move.md). It copies the events
/// in committed chunks in seq order, printing progress, then runs <c>migrate</c>'s whole migration, whose script 0011
/// finishes the move in one short transaction. Interrupted anywhere (Ctrl-C, SIGTERM, SIGKILL, a lost connection), it
/// continues where it stopped when run again; run on a moved ledger it changes nothing.
/// </summary>
[Description("Move a ledger from the old store into Marten's tables in resumable chunks, then migrate", Name = "migrate-store")]
public sealed class MigrateStoreCommand : JasperFxAsyncCommand<MigrateStoreInput>
{
    public MigrateStoreCommand()
    {
        Usage("Copy the old store's events in chunks of the default size, then migrate");
        Usage("Choose the chunk size").Arguments().ValidFlags(x => x.BatchSizeFlag);
    }

    public override async Task<bool> Execute(MigrateStoreInput input)
    {
        using var host = input.BuildHost();
        using var interrupted = new CancellationTokenSource();
        // Ctrl-C and SIGTERM stop the copy between or inside a chunk (the chunk in flight rolls back) and the command
        // says where it stands; a second signal is not needed. SIGKILL needs no handling: the server rolls the chunk back.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        return await RunAsync(host.Services, input.BatchSizeFlag, Console.Out, Console.Error, interrupted.Token) == 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            interrupted.Cancel();
        }
    }

    /// <summary>Starts the database from <paramref name="services"/> (a host that is built, not started), moves and migrates, and stops it.</summary>
    /// <returns>0 when the ledger is moved and the schema current (or was already); 1 with one line on <paramref name="error"/> when interrupted or failed.</returns>
    public static async Task<int> RunAsync(IServiceProvider services, int batchSize, TextWriter output, TextWriter error, CancellationToken ct, TimeSpan? progressInterval = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (batchSize < 1)
        {
            await error.WriteLineAsync("migrate-store failed: --batch-size must be at least 1.");
            return 1;
        }

        var database = services.GetRequiredService<LedgerDatabase>();
        StoreMoveProgress? last = null;
        var reporter = new StoreMoveReporter(line => output.WriteLine(line), progressInterval ?? TimeSpan.FromSeconds(1));
        var progress = new Recording(p =>
        {
            last = p;
            reporter.Report(p);
        });
        try
        {
            await database.StartAsync(ct);
            var migration = ActivatorUtilities.CreateInstance<LedgerMigration>(services);
            var before = await migration.PlanAsync(ct);
            if (before.EventsToMove > 0)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Moving the ledger in schema '{before.Schema}' into Marten's tables: {before.EventsToMove:N0} event(s) to copy, {batchSize:N0} per chunk."));
            }

            await migration.MoveStoreAndApplyAsync(new StoreMoveOptions(batchSize, progress), ct);
            await output.WriteLineAsync(before.IsCurrent
                ? $"The schema '{before.Schema}' was already current (version {before.CurrentVersion}); nothing to move or apply."
                : $"Migrated the schema '{before.Schema}' from version {before.CurrentVersion} to {SchemaMigrator.LatestVersion}"
                  + (before.EventsToMove > 0 ? "; the ledger's events are in Marten's tables." : "."));
            return 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await error.WriteLineAsync(last is null
                ? "migrate-store interrupted before copying anything; run it again to start."
                : $"migrate-store interrupted: {last.Describe()}; run it again to continue from there.");
            return 1;
        }
        catch (Exception e)
        {
            await error.WriteLineAsync($"migrate-store failed: {MigrateCommand.OneLine(e)} Run it again to continue.");
            return 1;
        }
        finally
        {
            await database.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Keeps the last report for the interruption message.</summary>
    private sealed class Recording(Action<StoreMoveProgress> report) : IProgress<StoreMoveProgress>
    {
        public void Report(StoreMoveProgress value) => report(value);
    }
}
