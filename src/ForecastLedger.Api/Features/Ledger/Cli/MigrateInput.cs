using JasperFx.CommandLine;

namespace ForecastLedger.Api.Features.Ledger.Cli;

/// <summary>Input of <c>migrate</c>.</summary>
public sealed class MigrateInput : NetCoreInput
{
    [Description("Write the SQL that would be applied to this file, for review, and apply nothing")]
    [FlagAlias("script")]
    public string? ScriptFlag { get; set; }
}
