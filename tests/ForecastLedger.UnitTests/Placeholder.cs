namespace ForecastLedger.UnitTests;
