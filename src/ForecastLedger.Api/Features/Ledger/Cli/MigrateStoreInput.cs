using ForecastLedger.EventStore;
using JasperFx.CommandLine;

namespace ForecastLedger.Api.Features.Ledger.Cli;

/// <summary>Input of <c>migrate-store</c>.</summary>
public sealed class MigrateStoreInput : NetCoreInput
{
    [Description("Events copied per committed chunk (default 10000)")]
    [FlagAlias("batch-size")]
    public int BatchSizeFlag { get; set; } = StoreMove.DefaultBatchSize;
}
