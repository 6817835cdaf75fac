namespace ForecastLedger.Api.Infrastructure.Authentication;

/// <summary>Where the bootstrap admin key is printed, once: standard output, never the structured logs. Tests swap the writer.</summary>
public sealed class BootstrapConsole(TextWriter writer)
{
    public TextWriter Out => writer;
}
