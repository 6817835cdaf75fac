using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ForecastLedger.LocalPostgres;
using Npgsql;

namespace ForecastLedger.Bench;

/// <summary>
/// The machine's own limit: pgbench against the same PostgreSQL server, at the same concurrency, running in plain SQL
/// what one forecast append does — the stream upsert and one event insert through the seq-assigning trigger with the
/// global-order advisory lock, in one durable transaction. A second script is identical but its trigger takes no
/// lock: the raw group-commit ceiling of PostgreSQL on this disk. Both write to copies of the ledger's tables in a
/// schema of their own (<c>bench_pgbench</c>), dropped afterwards.
/// </summary>
internal sealed partial class PgBench(string connectionString, string ledgerSchema) : IAsyncDisposable
{
    public const string Schema = "bench_pgbench";
    public const string WithLock = "append (global-order lock)";
    public const string WithoutLock = "append (no lock: fsync ceiling)";

    private readonly string _directory = Directory.CreateTempSubdirectory("flbench-pgbench-").FullName;
    private string? _pgbench;
    private bool _disposed;

    public async Task SetUpAsync(CancellationToken ct)
    {
        _pgbench = Path.Combine(PostgresBinaries.Locate(null), "pgbench");
        if (!File.Exists(_pgbench))
        {
            throw new FileNotFoundException("pgbench is not installed next to the server binaries.", _pgbench);
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        string data = """{"forecast_id":"00000000-0000-0000-0000-000000000000","probabilities":[650]}""";
        string metadata = """{"actor":"forecaster:00000000-0000-0000-0000-000000000000"}""";
        await using (var sample = new NpgsqlCommand(
            $"SELECT data::text, metadata::text FROM \"{ledgerSchema}\".events WHERE type = 'forecast_submitted' ORDER BY seq_id DESC LIMIT 1", connection))
        await using (var reader = await sample.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                data = reader.GetString(0);
                metadata = reader.GetString(1);
            }
        }

        // Copies of Marten's mt_streams and mt_events (their indexes and defaults). The trigger is the ledger's
        // extend_global_chain (migration 0011) with the schema swapped, plus the sequence number; the no-lock copy differs
        // only by the missing advisory lock (its global chain is then not race-free: it is a ceiling, not a ledger).
        await using (var setup = new NpgsqlCommand($"""
            DROP SCHEMA IF EXISTS {Schema} CASCADE;
            CREATE SCHEMA {Schema};
            CREATE TABLE {Schema}.streams (LIKE "{ledgerSchema}".mt_streams INCLUDING INDEXES INCLUDING DEFAULTS);
            CREATE TABLE {Schema}.events (LIKE "{ledgerSchema}".mt_events INCLUDING INDEXES INCLUDING DEFAULTS);
            CREATE TABLE {Schema}.streams_nolock (LIKE "{ledgerSchema}".mt_streams INCLUDING INDEXES INCLUDING DEFAULTS);
            CREATE TABLE {Schema}.events_nolock (LIKE "{ledgerSchema}".mt_events INCLUDING INDEXES INCLUDING DEFAULTS);
            CREATE SEQUENCE {Schema}.events_seq AS bigint;
            CREATE SEQUENCE {Schema}.events_nolock_seq AS bigint;
            CREATE FUNCTION {Schema}.assign_seq_id() RETURNS trigger LANGUAGE plpgsql AS $fn$
            DECLARE
                v_prev bytea;
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtextextended('forecastledger:seq:{Schema}', 0));
                NEW.seq_id := nextval('{Schema}.events_seq');
                SELECT decode(e.headers ->> 'fl_global_hash', 'base64') INTO v_prev FROM {Schema}.events e ORDER BY e.seq_id DESC LIMIT 1;
                v_prev := COALESCE(v_prev, decode(repeat('00', 32), 'hex'));
                NEW.headers := NEW.headers || jsonb_build_object(
                    'fl_global_prev', encode(v_prev, 'base64'),
                    'fl_global_hash', encode(sha256(v_prev || int8send(NEW.seq_id) || decode(NEW.headers ->> 'fl_hash', 'base64')), 'base64'));
                RETURN NEW;
            END
            $fn$;
            CREATE FUNCTION {Schema}.assign_seq_id_nolock() RETURNS trigger LANGUAGE plpgsql AS $fn$
            DECLARE
                v_prev bytea;
            BEGIN
                NEW.seq_id := nextval('{Schema}.events_nolock_seq');
                SELECT decode(e.headers ->> 'fl_global_hash', 'base64') INTO v_prev FROM {Schema}.events_nolock e ORDER BY e.seq_id DESC LIMIT 1;
                v_prev := COALESCE(v_prev, decode(repeat('00', 32), 'hex'));
                NEW.headers := NEW.headers || jsonb_build_object(
                    'fl_global_prev', encode(v_prev, 'base64'),
                    'fl_global_hash', encode(sha256(v_prev || int8send(NEW.seq_id) || decode(NEW.headers ->> 'fl_hash', 'base64')), 'base64'));
                RETURN NEW;
            END
            $fn$;
            CREATE TRIGGER events_assign_seq_id BEFORE INSERT ON {Schema}.events FOR EACH ROW EXECUTE FUNCTION {Schema}.assign_seq_id();
            CREATE TRIGGER events_assign_seq_id BEFORE INSERT ON {Schema}.events_nolock FOR EACH ROW EXECUTE FUNCTION {Schema}.assign_seq_id_nolock();
            """, connection))
        {
            await setup.ExecuteNonQueryAsync(ct);
        }

        await File.WriteAllTextAsync(ScriptPath(true), Script("streams", "events", data, metadata), ct);
        await File.WriteAllTextAsync(ScriptPath(false), Script("streams_nolock", "events_nolock", data, metadata), ct);
    }

    private string ScriptPath(bool locked) => Path.Combine(_directory, locked ? "append.sql" : "append-nolock.sql");

    /// <summary>One forecast append: upsert the stream row (its version), insert the event at that version, commit.</summary>
    private static string Script(string streams, string events, string data, string metadata)
    {
        static string Literal(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
        return $"""
            \set s random(1, 5000)
            \set n random(1, 2000000000)
            BEGIN;
            INSERT INTO {Schema}.{streams} AS t (id, type, version, created, "timestamp", tenant_id, is_archived) VALUES ('forecast-' || :client_id || '-' || :s, 'forecast', 1, now(), now(), '*DEFAULT*', false) ON CONFLICT (id) DO UPDATE SET version = t.version + 1, "timestamp" = now() RETURNING version AS v \gset
            INSERT INTO {Schema}.{events} (seq_id, id, stream_id, version, type, data, "timestamp", tenant_id, is_archived, headers) VALUES (0, gen_random_uuid(), 'forecast-' || :client_id || '-' || :s, :v, 'forecast_submitted', {Literal(data)}::jsonb, now(), '*DEFAULT*', false, jsonb_build_object('fl_metadata', {Literal(metadata)}::jsonb, 'fl_content_hash', encode(sha256(int8send(:n)), 'base64'), 'fl_prev_hash', encode('\x00'::bytea, 'base64'), 'fl_hash', encode(sha256(int8send(:n) || int8send(:v)), 'base64')));
            COMMIT;

            """;
    }

    public async Task<PgBenchResult> RunAsync(bool locked, int clients, TimeSpan duration, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(_pgbench!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-n", "-M", "prepared", "-h", builder.Host!, "-p", builder.Port.ToString(CultureInfo.InvariantCulture), "-U", builder.Username!,
            "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", Math.Min(clients, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
            "-T", Math.Max(5, (int)Math.Round(duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
            "-f", ScriptPath(locked), builder.Database!,
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PGPASSWORD"] = builder.Password;
        start.Environment["PGAPPNAME"] = "forecastledger-bench-pgbench";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pgbench failed (exit {process.ExitCode}):{Environment.NewLine}{output}");
        }

        double Number(Regex regex) => regex.Match(output) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
        var tps = Number(TpsPattern());
        var latency = Number(LatencyPattern());
        var transactions = (long)Number(TransactionsPattern());
        if (transactions == 0)
        {
            // pgbench prints no tps when nothing committed in the whole run: that is a rate of zero.
            tps = 0;
        }

        if (double.IsNaN(tps) || transactions == 0)
        {
            Console.Error.WriteLine($"pgbench output could not be parsed:{Environment.NewLine}{output}");
        }

        var failed = FailedPattern().Match(output) is { Success: true } f ? long.Parse(f.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return new PgBenchResult(locked ? WithLock : WithoutLock, clients, duration.TotalSeconds, tps, latency, transactions, failed,
            locked
                ? "stream upsert + event insert through the ledger's seq trigger with the global-order advisory lock, one durable transaction"
                : "the same without the advisory lock: PostgreSQL's raw group-commit ceiling");
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsPattern();

    [GeneratedRegex(@"latency average = ([0-9.]+) ms")]
    private static partial Regex LatencyPattern();

    [GeneratedRegex(@"number of transactions actually processed: ([0-9]+)")]
    private static partial Regex TransactionsPattern();

    [GeneratedRegex(@"number of failed transactions: ([0-9]+)")]
    private static partial Regex FailedPattern();

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            Console.Error.WriteLine($"pgbench: could not drop {Schema}: {e.Message}");
        }

        Directory.Delete(_directory, recursive: true);
    }
}
