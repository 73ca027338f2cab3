using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Messaging.Telemetry;

namespace SegmentNovuWorker.Ingest.Extensions;

/// <summary>
/// <c>Ingest:ManagementUrl</c>: the scrape and the readiness probe on an address of their own, so that the public port,
/// which Segment and the internet reach, answers only the front doors and the liveness probe.
/// </summary>
public static class ManagementPortExtensions
{
    static readonly string Key = $"{IngestOptions.Section}:{nameof(IngestOptions.ManagementUrl)}";

    /// <summary>The port of a management URL, or null when it has none (or is not a URL Kestrel can listen on).</summary>
    public static int? PortOf(string? url)
    {
        try
        {
            return url is { Length: > 0 } && BindingAddress.Parse(url) is { Port: > 0 } address ? address.Port : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Listens on the management URL besides the public ones (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>).</summary>
    public static WebApplicationBuilder AddManagementPort(this WebApplicationBuilder builder)
    {
        if (builder.Configuration[Key] is not { Length: > 0 } management)
            return builder;
        var split = StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries;
        string[] served = builder.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } urls
            ? urls.Split(';', split)
            : builder.Configuration[WebHostDefaults.HttpPortsKey] is { Length: > 0 } ports
                ? [.. ports.Split(';', split).Select(p => $"http://*:{p}")]
                : ["http://localhost:5000"];
        builder.WebHost.UseUrls([.. served, management]);
        return builder;
    }

    /// <summary>Answers <c>/metrics</c> and <c>/health/ready</c> only on the management port, and only those (and <c>/health/live</c>) there.</summary>
    public static WebApplication UseManagementPort(this WebApplication app)
    {
        if (PortOf(app.Services.GetRequiredService<IOptions<IngestOptions>>().Value.ManagementUrl) is not { } port)
            return app;
        app.Use((http, next) =>
        {
            var path = http.Request.Path;
            if (path.StartsWithSegments("/health/live"))
                return next(http);
            var managed = path.StartsWithSegments(SegmentNovuTelemetry.MetricsPath) || path.StartsWithSegments("/health/ready");
            // By the connection's own port, not the Host header, which the sender writes.
            if (managed != (http.Connection.LocalPort == port))
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return next(http);
        });
        return app;
    }
}
