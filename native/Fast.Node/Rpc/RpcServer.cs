using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fast.Node.Rpc;

/// <summary>
/// The node's HTTP face on Kestrel: JSON-RPC 2.0 on <c>POST /</c>, Prometheus metrics on
/// <c>GET /metrics</c>, and <c>GET /health</c> ("ok" or "behind"). Bound to 127.0.0.1 unless the
/// operator asks otherwise. Bodies over <see cref="JsonRpcProcessor.MaxBodyBytes"/> are refused
/// before parsing. Request handling runs on the thread pool.
/// </summary>
public sealed class RpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly JsonRpcProcessor _processor;
    private readonly Action<PrometheusText> _writeMetrics;
    private readonly Func<string?> _unhealthy;

    public RpcServer(IPEndPoint bind, JsonRpcProcessor processor, Action<PrometheusText> writeMetrics, Func<string?> unhealthy)
    {
        _processor = processor;
        _writeMetrics = writeMetrics;
        _unhealthy = unhealthy;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "fast" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.Listen(bind);
            options.AddServerHeader = false;
            options.Limits.MaxRequestBodySize = JsonRpcProcessor.MaxBodyBytes;
            options.Limits.MaxConcurrentConnections = 1024;
            options.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            options.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
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
