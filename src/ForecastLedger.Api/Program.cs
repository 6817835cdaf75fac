using ForecastLedger.Api.Features.Audit;
using ForecastLedger.Api.Infrastructure;
using ForecastLedger.Api.Infrastructure.Authentication;
using ForecastLedger.Api.Infrastructure.Telemetry;
using JasperFx;
using JasperFx.CodeGeneration;
using Wolverine;
using Wolverine.Http;

var builder = WebApplication.CreateBuilder(args);

if (LedgerDatabase.NeedsLocalCluster(builder.Configuration, args) && LedgerDatabase.MissingBinariesMessage(builder.Configuration) is { } missing)
{
    // One clear line, not a stack trace: the zero-config run cannot work without the PostgreSQL server binaries.
    await Console.Error.WriteLineAsync(missing);
    return 1;
}

if (!builder.Environment.IsDevelopment())
{
    // Structured logs for machines: one JSON object per line, with scopes (trace and span ids) included.
    builder.Logging.ClearProviders();
    builder.Logging.AddJsonConsole(options =>
    {
        options.IncludeScopes = true;
        options.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
        options.UseUtcTimestamp = true;
    });
}

// The database starts first: it is the first hosted service, so nothing serves before the schema is current.
builder.Services.AddLedgerEventStore(builder.Configuration);
builder.Services.AddLedgerFeatures();
builder.Services.AddLedgerProblemDetails();
builder.Services.AddLedgerHealthChecks();
// After the event store: the projections register with Marten's daemon, which starts once the schema is current.
builder.Services.AddLedgerProjections(builder.Configuration);
// After the event store too: the checkpoint publisher starts once the schema is current.
builder.Services.AddLedgerAudit(builder.Configuration);
builder.Services.AddLedgerSwagger();
builder.Services.AddLedgerAuthentication();
builder.Services.AddLedgerRateLimits(builder.Configuration);
builder.Services.AddLedgerTelemetry();

builder.Host.UseWolverine(options =>
{
    // The runtime compiler cannot be restored here, so Wolverine only ever loads the committed generated code
    // (Internal/Generated). Run `dotnet run --project src/ForecastLedger.Api -- codegen write` after changing an endpoint.
    options.CodeGeneration.TypeLoadMode = TypeLoadMode.Static;
    // Wolverine serves HTTP and runs the aggregate handler workflow in-process; it sends no messages, so it keeps no
    // envelope or node tables (the service role could not create them, and nothing would be in them).
    options.Durability.Mode = DurabilityMode.MediatorOnly;
});
builder.Services.AddWolverineHttp();

// Connection limits and timeouts chosen so that no number of clients can exhaust the process's descriptors (ADR 0019).
var serverLimits = ServerLimits.From(builder.Configuration, ServerLimits.SoftOpenFilesLimit());
builder.Services.AddSingleton(serverLimits);
builder.WebHost.ConfigureKestrel(kestrel => serverLimits.ApplyTo(kestrel.Limits));

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseLedgerRequestGuards();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
// Bad input is refused before an Idempotency-Key is claimed for it.
app.UseLedgerInputGuard();
app.UseLedgerIdempotency();
app.UseLedgerSwagger();
app.MapLedgerHealthChecks();
app.MapLedgerMetrics();
app.MapWolverineEndpoints(options => options.RejectUnparseableQueryValues = true);

return await app.RunJasperFxCommands(args);

/// <summary>The API host; public so tests can start it with WebApplicationFactory.</summary>
public partial class Program;
