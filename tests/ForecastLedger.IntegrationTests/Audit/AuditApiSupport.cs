using System.Net.Http.Json;
using System.Text.Json;
using ForecastLedger.Domain.Access;
using ForecastLedger.EventStore;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ForecastLedger.IntegrationTests.Audit;

public static class AuditApiSupport
{
    /// <summary>Host settings: a checkpoint every 5 events or 0.3 s, looked for every 100 ms.</summary>
    public static Action<IWebHostBuilder> FastCheckpoints(Action<IWebHostBuilder>? more = null) => builder =>
    {
        builder.UseSetting("Audit:Checkpoints:EveryEvents", "5");
        builder.UseSetting("Audit:Checkpoints:IntervalSeconds", "0.3");
        builder.UseSetting("Audit:Checkpoints:PollMilliseconds", "100");
        // Every round counts the events, so a deletion is refused on the very next round (the default is 60 s).
        builder.UseSetting("Audit:Checkpoints:FullCheckSeconds", "0");
        more?.Invoke(builder);
    };

    /// <summary>Appends <paramref name="count"/> harmless events (key revocations no projection reads), one per append.</summary>
    public static async Task<List<long>> AppendEventsAsync(this LedgerApiFactory api, int count, string prefix = "apikey-audit")
    {
        var store = api.Services.GetRequiredService<IEventStore>();
        var seqs = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var result = await store.AppendAsync($"{prefix}-{i % 4}", [new ApiKeyRevoked(Guid.NewGuid(), "fl_audit", "test", DateTimeOffset.UtcNow)]);
            seqs.Add(result.LastSeq);
        }

        return seqs;
    }

    /// <summary>Waits until the latest checkpoint covers <paramref name="seq"/>; returns it.</summary>
    public static async Task<JsonElement> WaitForCheckpointCoveringAsync(this HttpClient client, long seq)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetAsync("/api/audit/checkpoints/latest");
            if (response.IsSuccessStatusCode)
            {
                var checkpoint = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (checkpoint.GetProperty("lastSeq").GetInt64() >= seq)
                {
                    return checkpoint;
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No checkpoint covered seq {seq} within 30 s.");
    }

    public static async Task<List<JsonElement>> AllCheckpointsAsync(this HttpClient client, int limit = 2)
    {
        var all = new List<JsonElement>();
        string? next = $"/api/audit/checkpoints?limit={limit}";
        while (next is not null)
        {
            var page = await client.GetFromJsonAsync<JsonElement>(next);
            all.AddRange(page.GetProperty("checkpoints").EnumerateArray());
            next = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }

        return all;
    }
}
