using ForecastLedger.Domain.Access;
using ForecastLedger.EventStore;
using Npgsql;

namespace ForecastLedger.Api.Infrastructure.Authentication;

/// <summary>
/// Makes sure the ledger can be administered: at start-up, after the schema migration, when no active admin key
/// exists, it stores the key from <c>Ledger:AdminKey</c> or <c>FORECASTLEDGER_ADMIN_KEY</c> (hashed, like every key),
/// or generates one and prints it once to standard output. With an active admin key it does nothing. An advisory lock
/// keeps two nodes starting at once from both creating one.
/// </summary>
public sealed class AdminKeyBootstrap(
    LedgerDatabase database,
    ApiKeyStore keys,
    EventStoreOptions options,
    IConfiguration configuration,
    BootstrapConsole console,
    TimeProvider clock,
    ILogger<AdminKeyBootstrap> logger) : IHostedService
{
    public const string EnvironmentVariable = "FORECASTLEDGER_ADMIN_KEY";
    public const string ConfigurationKey = "Ledger:AdminKey";
    public const string ConsoleLinePrefix = "ForecastLedger admin API key (shown once, store it now): ";
    public const string Label = "bootstrap admin key";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configured = ConfiguredKey(configuration);
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", connection))
        {
            lockCommand.Parameters.AddWithValue($"forecastledger:admin-bootstrap:{options.Schema}");
            await lockCommand.ExecuteScalarAsync(cancellationToken);
        }

        if (await keys.HasActiveAdminAsync(connection, cancellationToken))
        {
            if (configured is not null && await keys.FindByPrefixAsync(configured.Prefix, cancellationToken) is null)
            {
                logger.LogWarning("An active admin key exists, so the configured admin key {Prefix} was not stored", configured.Prefix);
            }

            return;
        }

        var token = configured;
        if (token is not null && await keys.FindByPrefixAsync(token.Prefix, cancellationToken) is { } existing)
        {
            logger.LogWarning("The configured admin key {Prefix} was revoked on {RevokedAt}; generating a new admin key", existing.Prefix, existing.RevokedAt);
            token = null;
        }

        var generated = token is null;
        token ??= ApiKeyToken.Generate();
        var keyId = Guid.CreateVersion7();
        await keys.IssueAsync(transaction, keyId, token, Roles.Admin, null, Label, LedgerClaims.SystemActor, clock.GetUtcNow(),
            new AppendOptions(new EventMetadata(Actor: LedgerClaims.SystemActor)), cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        if (generated)
        {
            // Standard output on purpose: structured logs are shipped and kept, and a secret must not be.
            await console.Out.WriteLineAsync(ConsoleLinePrefix + token.Value);
            await console.Out.FlushAsync(cancellationToken);
            logger.LogInformation("Generated the bootstrap admin key {Prefix}; it was printed once to standard output", token.Prefix);
        }
        else
        {
            logger.LogInformation("Stored the configured bootstrap admin key {Prefix}", token.Prefix);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The configured admin key, or null when none is set. A set but invalid key stops start-up with one clear message.</summary>
    public static ApiKeyToken? ConfiguredKey(IConfiguration configuration)
    {
        var (source, value) = configuration[ConfigurationKey] is { Length: > 0 } fromConfig
            ? (ConfigurationKey, fromConfig)
            : (EnvironmentVariable, configuration[EnvironmentVariable] ?? Environment.GetEnvironmentVariable(EnvironmentVariable));
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return ApiKeyToken.TryParse(value.Trim(), out var token)
            ? token
            : throw new InvalidOperationException(
                $"{source} is not a valid ForecastLedger key: it must look like fl_<8 characters of A-Z, a-z, 0-9>_<{ApiKeyToken.SecretLength} to " +
                $"{ApiKeyToken.MaxSecretLength} characters of A-Z, a-z, 0-9>. Unset it to have the service generate and print one.");
    }
}
