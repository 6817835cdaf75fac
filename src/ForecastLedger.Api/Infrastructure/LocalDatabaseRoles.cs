using ForecastLedger.LocalPostgres;
using Npgsql;

namespace ForecastLedger.Api.Infrastructure;

/// <summary>
/// The zero-config run's two roles (docs/operations-database-roles.md), made with the local cluster's superuser on every
/// start: <c>forecastledger_owner</c> owns the schema and runs migrations, <c>forecastledger_service</c> serves and owns
/// nothing. Their passwords live next to the superuser's (mode 0600). A cluster from an older build, whose schema the
/// superuser owns, is handed to the owner role here, once.
/// </summary>
public static class LocalDatabaseRoles
{
    public const string Owner = "forecastledger_owner";
    public const string Service = "forecastledger_service";

    /// <summary>Creates or updates both roles; returns the service's and the owner's connection strings.</summary>
    public static async Task<(string Service, string Owner)> EnsureAsync(string superuserConnection, string rootDirectory, string schema, CancellationToken ct)
    {
        var ownerPassword = SecretFile.ReadOrCreatePassword(Path.Combine(rootDirectory, "owner.password"));
        var servicePassword = SecretFile.ReadOrCreatePassword(Path.Combine(rootDirectory, "service.password"));
        await using (var connection = new NpgsqlConnection(superuserConnection))
        {
            await connection.OpenAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            // Two instances sharing one cluster start at once: one makes the roles, the other finds them.
            await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtextextended('forecastledger:roles', 0))", ct);
            foreach (var role in new[] { Owner, Service })
            {
                if (!await ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", ct, role))
                {
                    await ExecuteAsync(connection, $"CREATE ROLE {role} LOGIN", ct);
                }
            }

            // Role names are constants; passwords, the database and the schema's objects are quoted by the server (format %L, %I).
            var statements = new List<string>
            {
                await ScalarAsync<string>(connection, $"SELECT format('ALTER ROLE {Owner} LOGIN NOSUPERUSER NOCREATEROLE PASSWORD %L', $1::text)", ct, ownerPassword),
                await ScalarAsync<string>(connection, $"SELECT format('ALTER ROLE {Service} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', $1::text)", ct, servicePassword),
                await ScalarAsync<string>(connection, $"SELECT format('GRANT CREATE ON DATABASE %I TO {Owner}', current_database())", ct),
            };
            await using (var handOver = new NpgsqlCommand($"""
                SELECT format('ALTER SCHEMA %I OWNER TO {Owner}', nspname) FROM pg_namespace
                WHERE nspname = $1 AND nspowner <> '{Owner}'::regrole
                UNION ALL
                SELECT format('ALTER %s %I.%I OWNER TO {Owner}',
                              CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                              n.nspname, c.relname)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'S', 'v', 'm') AND c.relowner <> '{Owner}'::regrole
                  AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d
                           WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
                UNION ALL
                SELECT format('ALTER FUNCTION %s OWNER TO {Owner}', p.oid::regprocedure) FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.proowner <> '{Owner}'::regrole
                """, connection, transaction))
            {
                handOver.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schema });
                await using var reader = await handOver.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    statements.Add(reader.GetString(0));
                }
            }

            foreach (var statement in statements)
            {
                await ExecuteAsync(connection, statement, ct);
            }

            await transaction.CommitAsync(ct);
        }

        var builder = new NpgsqlConnectionStringBuilder(superuserConnection) { Username = Service, Password = servicePassword };
        var service = builder.ConnectionString;
        builder.Username = Owner;
        builder.Password = ownerPassword;
        return (service, builder.ConnectionString);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (T)(await command.ExecuteScalarAsync(ct))!;
    }
}
