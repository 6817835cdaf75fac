using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using ForecastLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using static ForecastLedger.IntegrationTests.Features.QuestionScenarios;

namespace ForecastLedger.IntegrationTests.Limits;

/// <summary>
/// Idle connections cannot take the process down (issue 11, item 1): beyond <c>Kestrel:Limits:MaxConcurrentConnections</c>
/// a new connection is closed at once, and the clients already connected are still served. A real Kestrel on
/// 127.0.0.1 (TestServer has no sockets), with a small limit so that the flood stays small.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class when_idle_connections_flood_the_server(PostgresFixture db)
{
    private const int ConnectionLimit = 50;
    private const int IdleConnections = 300;
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task connections_beyond_the_limit_are_refused_and_the_service_still_answers_within_a_second()
    {
        await using var api = new LedgerApiFactory(db.ConnectionString, await db.FreshSchemaAsync(nameof(when_idle_connections_flood_the_server)),
            configure: b => b.UseSetting("Kestrel:Limits:MaxConcurrentConnections", ConnectionLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        api.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        api.StartServer();
        var address = new Uri(api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        var forecaster = await api.RegisterForecasterAsync();

        // A forecaster already talking to the service holds one keep-alive connection, opened before the flood.
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", forecaster.ApiKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync(ForecastsPath("putin-president-2029", forecaster.ForecasterId), new { pYes = 600 })).StatusCode);

        var flood = new List<Socket>();
        try
        {
            for (var i = 0; i < IdleConnections; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                flood.Add(socket);
                await socket.ConnectAsync(IPAddress.Loopback, address.Port);
            }

            var refused = await CountClosedByServerAsync(flood, TimeSpan.FromSeconds(3));
            Assert.InRange(refused, IdleConnections - ConnectionLimit, IdleConnections);

            var clock = Stopwatch.StartNew();
            var live = await client.GetAsync("/health/live");
            var liveTime = clock.Elapsed;
            clock.Restart();
            var forecast = await client.PostAsJsonAsync(ForecastsPath("putin-president-2029", forecaster.ForecasterId), new { pYes = 610 });
            var forecastTime = clock.Elapsed;

            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.True(liveTime < Answer, $"/health/live took {liveTime.TotalMilliseconds:0} ms during the flood");
            Assert.Equal(HttpStatusCode.Created, forecast.StatusCode);
            Assert.True(forecastTime < Answer, $"a forecast took {forecastTime.TotalMilliseconds:0} ms during the flood");
        }
        finally
        {
            foreach (var socket in flood)
            {
                socket.Dispose();
            }
        }

        // The flood is gone and the service, alive, takes new connections again.
        using var fresh = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/health/live")).StatusCode);
    }

    /// <summary>How many sockets the server closed (end of stream or reset) within <paramref name="wait"/>; an accepted idle one stays open.</summary>
    private static async Task<int> CountClosedByServerAsync(IReadOnlyList<Socket> sockets, TimeSpan wait)
    {
        using var deadline = new CancellationTokenSource(wait);
        var closed = await Task.WhenAll(sockets.Select(async socket =>
        {
            var buffer = new byte[1];
            try
            {
                return await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token) == 0;
            }
            catch (SocketException)
            {
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }));
        return closed.Count(c => c);
    }
}
