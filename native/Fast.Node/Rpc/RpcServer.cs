using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Fast.Net.Ingest;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fast.Node.Rpc;

/// <summary>What one client may hold of the RPC server (flags of `fast validator`).</summary>
public sealed record RpcServerLimits
{
    /// <summary>Open connections per remote address (--rpc-max-connections-per-ip); one more is closed at once, counted.</summary>
    public int MaxConnectionsPerAddress { get; init; } = 64;

    /// <summary>All open connections.</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>An idle keep-alive connection is closed after this (--rpc-keep-alive-seconds).</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A request's headers must arrive within this, and its body at 240 B/s or more after this grace
    /// (--rpc-request-timeout-seconds): a client trickling bytes (slowloris) is cut off.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The node's HTTP face on Kestrel: JSON-RPC 2.0 on <c>POST /</c>, Prometheus metrics on
/// <c>GET /metrics</c>, <c>GET /health</c> ("ok" or "behind"), and, when given one, the live dashboard
/// (<see cref="Dashboard.DashboardSite"/>: a browser's <c>GET /</c>, <c>/dashboard/*</c>). Bound to 127.0.0.1 unless the
/// operator asks otherwise. Bodies over <see cref="JsonRpcProcessor.MaxBodyBytes"/> are refused
/// before parsing. Connections are capped per remote address (<see cref="RpcServerLimits"/>; refusals
/// counted in <see cref="ConnectionsRejectedPerAddress"/>); idle keep-alives, slow headers and
/// trickled bodies time out. Request handling runs on the thread pool.
/// </summary>
public sealed class RpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly JsonRpcProcessor _processor;
    private readonly Action<PrometheusText> _writeMetrics;
    private readonly Func<string?> _unhealthy;
    private readonly ConnectionsPerAddress _perAddress;
    private readonly Dashboard.DashboardSite? _dashboard;
    private long _rejectedPerAddress;

    public RpcServer(IPEndPoint bind, JsonRpcProcessor processor, Action<PrometheusText> writeMetrics, Func<string?> unhealthy, RpcServerLimits? limits = null,
        Dashboard.DashboardSite? dashboard = null)
    {
        _processor = processor;
        _dashboard = dashboard;
        _writeMetrics = writeMetrics;
        _unhealthy = unhealthy;
        limits ??= new RpcServerLimits();
        _perAddress = new ConnectionsPerAddress(limits.MaxConnectionsPerAddress);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "fast" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.Listen(bind, listen => listen.Use(next => connection => LimitPerAddressAsync(connection, next)));
            options.AddServerHeader = false;
            options.Limits.MaxRequestBodySize = JsonRpcProcessor.MaxBodyBytes;
            options.Limits.MaxConcurrentConnections = limits.MaxConnections;
            options.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            options.Limits.KeepAliveTimeout = limits.KeepAliveTimeout;
            options.Limits.RequestHeadersTimeout = limits.RequestTimeout;
            options.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(240, limits.RequestTimeout);
            options.Limits.MinResponseDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(240, limits.RequestTimeout);
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>Connections closed at once because their address held its cap of connections.</summary>
    public long ConnectionsRejectedPerAddress => Interlocked.Read(ref _rejectedPerAddress);

    /// <summary>Connections of <paramref name="address"/> the server is running now.</summary>
    public int OpenConnectionsFrom(IPAddress address) => _perAddress.OpenFrom(address);

    /// <summary>Runs a connection only while its address is within its cap; otherwise closes it (counted).</summary>
    private async Task LimitPerAddressAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        IPAddress? remote = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (remote is null)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }
        if (!_perAddress.TryOpen(remote))
        {
            Interlocked.Increment(ref _rejectedPerAddress);
            connection.Abort(new ConnectionAbortedException("too many connections from this address"));
            return;
        }
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            _perAddress.Close(remote);
        }
    }

    /// <summary>Where the server listens once started (the real port when bound to port 0).</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    public async Task StartAsync()
    {
        await _app.StartAsync().ConfigureAwait(false);
        string address = _app.Urls.First();
        Uri uri = new(address);
        LocalEndPoint = new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port);
    }

    private async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        string path = request.Path.Value ?? "/";
        if (HttpMethods.IsGet(request.Method) && path == "/metrics")
        {
            PrometheusText text = new();
            _writeMetrics(text);
            response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await response.WriteAsync(text.ToString()).ConfigureAwait(false);
            return;
        }
        if (HttpMethods.IsGet(request.Method) && path == "/health")
        {
            response.ContentType = "text/plain";
            await response.WriteAsync(_unhealthy() is null ? "ok" : "behind").ConfigureAwait(false);
            return;
        }
        if (_dashboard is not null && await _dashboard.TryServeAsync(context, path).ConfigureAwait(false)) return;
        if (path != "/")
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        if (!HttpMethods.IsPost(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "POST";
            return;
        }

        ArrayBufferWriter<byte> output = new(512);
        byte[]? body = await ReadBodyAsync(request).ConfigureAwait(false);
        response.ContentType = "application/json";
        if (body is null)
        {
            response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            _processor.WriteTooLarge(output);
        }
        else if (!_processor.Process(body, output))
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        await response.Body.WriteAsync(output.WrittenMemory).ConfigureAwait(false);
    }

    /// <summary>The request body, or null when it exceeds the limit.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength > JsonRpcProcessor.MaxBodyBytes) return null;
        PipeReader reader = request.BodyReader;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync().ConfigureAwait(false);
                if (result.Buffer.Length > JsonRpcProcessor.MaxBodyBytes)
                {
                    reader.AdvanceTo(result.Buffer.End);
                    return null;
                }
                if (result.IsCompleted)
                {
                    byte[] body = result.Buffer.ToArray();
                    reader.AdvanceTo(result.Buffer.End);
                    return body;
                }
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
        }
        catch (BadHttpRequestException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
