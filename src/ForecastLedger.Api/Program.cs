var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/", () => "ForecastLedger");
await app.RunAsync();

public partial class Program;
