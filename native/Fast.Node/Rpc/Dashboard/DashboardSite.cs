using System.Buffers;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Fast.Node.Rpc.Dashboard;

/// <summary>
/// The live dashboard's HTTP side, behind <see cref="RpcServer"/>: <c>GET /</c> is the page,
/// <c>GET /dashboard/&lt;file&gt;</c> its script, stylesheet and the chart library (uPlot, with its
/// licence at <c>/dashboard/uPlot.LICENSE</c>), all embedded in the binary as resources (nothing is
/// loaded from outside the node: NativeAOT keeps manifest resources), and
/// <c>GET /dashboard/state.json?since=&lt;unix ms&gt;</c> the data (<see cref="DashboardState"/>).
/// The assets are read once, at construction; requests run on Kestrel's threads.
/// </summary>
public sealed class DashboardSite
{
    /// <summary>Where the page's own files and the vendored chart library sit among the manifest resources.</summary>
    public const string ResourcePrefix = "dashboard/";

    private static readonly (string File, string ContentType)[] Files =
    [
        ("index.html", "text/html; charset=utf-8"),
        ("dashboard.js", "text/javascript; charset=utf-8"),
        ("dashboard.css", "text/css; charset=utf-8"),
        ("uPlot.iife.min.js", "text/javascript; charset=utf-8"),
        ("uPlot.min.css", "text/css; charset=utf-8"),
        ("uPlot.LICENSE", "text/plain; charset=utf-8"),
    ];

    /// <summary>What the page may load: its own files and this node's JSON, nothing inline, no frames around it.</summary>
    public const string ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private readonly Dictionary<string, (byte[] Body, string ContentType)> _assets = new(StringComparer.Ordinal);
    private readonly DashboardState _state;

    public DashboardSite(DashboardState state)
    {
        _state = state;
        Assembly assembly = typeof(DashboardSite).Assembly;
        foreach ((string file, string contentType) in Files)
        {
            using Stream stream = assembly.GetManifestResourceStream(ResourcePrefix + file)
                ?? throw new InvalidOperationException($"the dashboard asset {file} is not embedded in {assembly.GetName().Name} (build/dashboard-assets.sh vendors it)");
            using MemoryStream copy = new();
            stream.CopyTo(copy);
            _assets[file] = (copy.ToArray(), contentType);
        }
    }

    /// <summary>The embedded bytes of <paramref name="file"/> (tests; the page's asset names).</summary>
    public ReadOnlyMemory<byte> Asset(string file) => _assets[file].Body;

    /// <summary>Serves <paramref name="path"/> when it is the dashboard's (GET or HEAD); false when it is not (the caller goes on).</summary>
    public async Task<bool> TryServeAsync(HttpContext context, string path)
    {
        HttpRequest request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method)) return false;
        HttpResponse response = context.Response;
        if (path == "/dashboard/state.json")
        {
            long since = 0;
            if (request.Query.TryGetValue("since", out Microsoft.Extensions.Primitives.StringValues text)
                && !long.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out since))
            {
                response.StatusCode = StatusCodes.Status400BadRequest;
                return true;
            }
            ArrayBufferWriter<byte> body = new(8192);
            _state.Write(body, since);
            response.ContentType = "application/json";
            response.Headers.CacheControl = "no-store";
            await WriteAsync(request, response, body.WrittenMemory).ConfigureAwait(false);
            return true;
        }
        string? file = path == "/" ? "index.html" : path.StartsWith("/dashboard/", StringComparison.Ordinal) ? path["/dashboard/".Length..] : null;
        if (file is null || !_assets.TryGetValue(file, out (byte[] Body, string ContentType) asset)) return false;
        response.ContentType = asset.ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        // The page loads only its own files and talks only to this node; it may not be framed by another site.
        if (file == "index.html") response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        await WriteAsync(request, response, asset.Body).ConfigureAwait(false);
        return true;
    }

    private static async Task WriteAsync(HttpRequest request, HttpResponse response, ReadOnlyMemory<byte> body)
    {
        response.ContentLength = body.Length;
        if (HttpMethods.IsHead(request.Method)) return;
        await response.Body.WriteAsync(body).ConfigureAwait(false);
    }
}
