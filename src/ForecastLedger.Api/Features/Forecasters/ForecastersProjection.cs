using ForecastLedger.Domain;
using ForecastLedger.Domain.Forecasters;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Npgsql;

namespace ForecastLedger.Api.Features.Forecasters;

/// <summary>
/// The <c>forecasters</c> read model (the lookup by id and the unique handle index), a Marten inline projection: every
/// session that appends a forecaster's events writes its row in the same transaction, so no writer has to remember to.
/// </summary>
public sealed class ForecastersProjection(string schema) : IProjection
{
    /// <summary>The projection's name in Marten's registry.</summary>
    public const string Name = "forecasters";

    /// <summary>The unique index on handles; a registration that hits it is the 409 <c>handle-taken</c>.</summary>
    public const string HandleIndex = "forecasters_handle_unique";

    /// <inheritdoc />
    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(events);
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case ForecasterRegistered r:
                    operations.QueueSqlCommand(
                        $"INSERT INTO {schema}.forecasters (id, handle, display_name, is_bot, registered_at) VALUES (?, ?, ?, ?, ?)",
                        r.ForecasterId, r.Handle, r.DisplayName, r.IsBot, r.RegisteredAt);
                    break;
                case ForecasterBotFlagChanged c:
                    operations.QueueSqlCommand($"UPDATE {schema}.forecasters SET is_bot = ? WHERE id = ?", c.IsBot, c.ForecasterId);
                    break;
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>A registration refused by the handle index, as the rule it breaks; null for any other failure.</summary>
    public static DomainRuleViolation? HandleTaken(Exception e, string handle) =>
        e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: HandleIndex }
            ? new DomainRuleViolation("handle-taken", $"The handle '{handle}' is taken.", RuleKind.Conflict)
            : null;
}
