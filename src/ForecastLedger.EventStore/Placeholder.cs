namespace ForecastLedger.EventStore;
