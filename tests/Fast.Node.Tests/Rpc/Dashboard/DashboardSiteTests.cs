using System.Net;
using System.Text;
using System.Text.Json;
using Fast.Node.Rpc;
using Fast.Node.Rpc.Dashboard;
using Fast.Node.Tests.Infrastructure;
using Xunit;

namespace Fast.Node.Tests.Rpc.Dashboard;

public class DashboardSiteTests
{
    private static DashboardSite Site(FakeRpcBackend backend) =>
        new(new DashboardState(backend, new DashboardHistory(), () => [], _ => null, () => Environment.TickCount64));

    [Fact]
    public async Task A_browser_GET_of_the_root_gets_the_page_and_its_embedded_assets_while_POST_root_stays_JSON_RPC()
    {
        FakeRpcBackend backend = new();
        await using RpcServer server = new(new IPEndPoint(IPAddress.Loopback, 0), new JsonRpcProcessor(backend), _ => { }, () => null, dashboard: Site(backend));
        await server.StartAsync();
        using HttpClient http = new() { BaseAddress = new Uri($"http://{server.LocalEndPoint}/") };

        using HttpResponseMessage page = await http.GetAsync("");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        string html = await page.Content.ReadAsStringAsync();
        Assert.Contains("/dashboard/uPlot.iife.min.js", html);
        Assert.Contains("id=\"chart-tps\"", html);
        Assert.Equal(DashboardSite.ContentSecurityPolicy, string.Join(' ', page.Headers.GetValues("Content-Security-Policy")));
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal));
        Assert.DoesNotContain("https://", html);

        using HttpResponseMessage chart = await http.GetAsync("dashboard/uPlot.iife.min.js");
        Assert.Equal(HttpStatusCode.OK, chart.StatusCode);
        Assert.Equal("text/javascript", chart.Content.Headers.ContentType?.MediaType);
        Assert.Contains("uPlot", await chart.Content.ReadAsStringAsync());
        Assert.Contains("MIT", await http.GetStringAsync("dashboard/uPlot.LICENSE"));
        Assert.Contains("state.json", await http.GetStringAsync("dashboard/dashboard.js"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("dashboard/nothing.js")).StatusCode);

        using HttpResponseMessage state = await http.GetAsync("dashboard/state.json?since=0");
        Assert.Equal("application/json", state.Content.Headers.ContentType?.MediaType);
        using (var doc = JsonDocument.Parse(await state.Content.ReadAsStringAsync()))
        {
            Assert.Equal(backend.ProcessedSlot, doc.RootElement.GetProperty("slots").GetProperty("processed").GetUInt64());
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("dashboard/state.json?since=-5")).StatusCode);

        using HttpResponseMessage rpc = await http.PostAsync("", new StringContent("""{"jsonrpc":"2.0","id":1,"method":"getSlot"}""", Encoding.UTF8, "application/json"));
        using (var doc = JsonDocument.Parse(await rpc.Content.ReadAsStringAsync()))
        {
            Assert.Equal(backend.Slot(Commitment.Finalized), doc.RootElement.GetProperty("result").GetUInt64());
        }
        using HttpResponseMessage put = await http.PutAsync("", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
    }

    [Fact]
    public void The_page_script_and_the_vendored_chart_library_with_its_licence_are_embedded_in_the_binary()
    {
        DashboardSite site = Site(new FakeRpcBackend());
        Assert.StartsWith("<!doctype html>", Encoding.UTF8.GetString(site.Asset("index.html").Span), StringComparison.Ordinal);
        Assert.True(site.Asset("uPlot.iife.min.js").Length > 10_000);
        Assert.Contains("Permission is hereby granted", Encoding.UTF8.GetString(site.Asset("uPlot.LICENSE").Span));
        Assert.Contains(".uplot", Encoding.UTF8.GetString(site.Asset("uPlot.min.css").Span));
    }
}
