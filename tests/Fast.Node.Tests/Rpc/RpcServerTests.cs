using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Fast.Node.Rpc;
using Fast.Node.Tests.Infrastructure;
using Xunit;

namespace Fast.Node.Tests.Rpc;

public class RpcServerTests
{
    [Fact]
    public async Task Kestrel_serves_JSON_RPC_metrics_and_health_and_refuses_oversized_bodies()
    {
        FakeRpcBackend backend = new();
        JsonRpcProcessor processor = new(backend);
        await using RpcServer server = new(new IPEndPoint(IPAddress.Loopback, 0), processor,
            m => m.Gauge("fast_slot", "current slot", 100, "commitment=\"processed\""), () => backend.Unhealthy);
        await server.StartAsync();
        using HttpClient http = new() { BaseAddress = new Uri($"http://{server.LocalEndPoint}/") };

        using HttpResponseMessage ok = await http.PostAsync("", new StringContent("""{"jsonrpc":"2.0","id":1,"method":"getHealth"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using (var doc = JsonDocument.Parse(await ok.Content.ReadAsStringAsync())) Assert.Equal("ok", doc.RootElement.GetProperty("result").GetString());

        string metrics = await http.GetStringAsync("metrics");
        Assert.Contains("# TYPE fast_slot gauge", metrics);
        Assert.Contains("fast_slot{commitment=\"processed\"} 100", metrics);
        Assert.Equal("ok", await http.GetStringAsync("health"));

        ByteArrayContent huge = new(new byte[JsonRpcProcessor.MaxBodyBytes + 1]);
        huge.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage tooLarge = await http.PostAsync("", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        using (var doc = JsonDocument.Parse(await tooLarge.Content.ReadAsStringAsync())) Assert.Equal(RpcError.InvalidRequest, doc.RootElement.GetProperty("error").GetProperty("code").GetInt32());

        using HttpResponseMessage get = await http.GetAsync("");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);

        backend.Unhealthy = "behind by 50 slots";
        Assert.Equal("behind", await http.GetStringAsync("health"));
    }
}
