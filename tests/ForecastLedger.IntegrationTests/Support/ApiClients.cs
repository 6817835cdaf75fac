using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ForecastLedger.IntegrationTests.Support;

/// <summary>A registered forecaster and a client that calls as it.</summary>
/// <param name="ForecasterId">The forecaster's id.</param>
/// <param name="Handle">Its handle.</param>
/// <param name="KeyId">The id of its first API key.</param>
/// <param name="ApiKey">The key itself.</param>
/// <param name="Client">A client that sends the key as <c>Authorization: Bearer</c>.</param>
public sealed record ForecasterClient(Guid ForecasterId, string Handle, Guid KeyId, string ApiKey, HttpClient Client);

/// <summary>Authenticated clients for the test host. Every <see cref="LedgerApiFactory"/> starts with <see cref="AdminKey"/> as its admin key.</summary>
public static class ApiClients
{
    /// <summary>The bootstrap admin key of every test host (set as <c>Ledger:AdminKey</c>).</summary>
    public const string AdminKey = "fl_TESTadm1_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

    /// <summary>A client that sends <paramref name="apiKey"/> as <c>Authorization: Bearer</c>.</summary>
    public static HttpClient ClientWithKey(this LedgerApiFactory api, string apiKey)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>A client calling with the bootstrap admin key.</summary>
    public static HttpClient AdminClient(this LedgerApiFactory api) => api.ClientWithKey(AdminKey);

    /// <summary>A client calling with the bootstrap admin key (async twin of <see cref="AdminClient"/>).</summary>
    public static Task<HttpClient> AdminClientAsync(this LedgerApiFactory api) => Task.FromResult(api.AdminClient());

    /// <summary>Issues a new auditor key (through <c>POST /api/keys</c>) and returns a client calling with it.</summary>
    public static async Task<HttpClient> AuditorClientAsync(this LedgerApiFactory api) =>
        api.ClientWithKey(await api.IssueKeyAsync("auditor"));

    /// <summary>Issues a key as the admin and returns the key itself.</summary>
    public static async Task<string> IssueKeyAsync(this LedgerApiFactory api, string role, Guid? forecasterId = null, string? label = null)
    {
        var response = await api.AdminClient().PostAsJsonAsync("/api/keys", new { role, forecasterId, label });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"issuing a {role} key failed: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<JsonElement>(body).GetProperty("apiKey").GetString()!;
    }

    /// <summary>
    /// Registers a forecaster through <c>POST /api/forecasters</c> (a unique handle when none is given) and returns a
    /// client calling with its first key.
    /// </summary>
    public static async Task<ForecasterClient> RegisterForecasterAsync(this LedgerApiFactory api, string? handle = null, string? displayName = null, bool isBot = false)
    {
        handle ??= "f-" + Guid.NewGuid().ToString("N")[..12];
        var response = await api.CreateClient().PostAsJsonAsync("/api/forecasters", new { handle, displayName = displayName ?? handle, isBot });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"registering '{handle}' failed: {(int)response.StatusCode} {body}");
        var registered = JsonSerializer.Deserialize<JsonElement>(body);
        var apiKey = registered.GetProperty("apiKey").GetString()!;
        return new ForecasterClient(
            registered.GetProperty("forecasterId").GetGuid(), handle, registered.GetProperty("keyId").GetGuid(), apiKey, api.ClientWithKey(apiKey));
    }
}
