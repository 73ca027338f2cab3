using MassTransit.Logging;
using MassTransit.Monitoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Prometheus;

namespace SegmentNovuWorker.Messaging.Telemetry;

/// <summary>Traces, metrics and logs of every service, wired the same way (docs/observability.md).</summary>
public static class SegmentNovuTelemetry
{
    /// <summary>Where each service serves its Prometheus scrape.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The standard OpenTelemetry variable; OTLP export is on only when it is set.</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// OpenTelemetry traces (ASP.NET Core, HttpClient, MassTransit) and metrics (MassTransit's meter, the runtime, the
    /// service's <see cref="SegmentNovuMetrics"/>), exported over OTLP when <see cref="OtlpEndpointKey"/> is set; log
    /// lines carry their scopes (the Segment messageId) in either console format.
    /// </summary>
    /// <param name="serviceName">The <c>service.name</c> of the resource: <c>segment-novu-ingest</c>, <c>segment-novu-worker</c>.</param>
    public static WebApplicationBuilder AddSegmentNovuTelemetry(this WebApplicationBuilder builder, string serviceName)
    {
        builder.Services.TryAddSingleton<SegmentNovuMetrics>();

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing
                // MassTransit needs no instrumentation package: its ActivitySource carries the trace through the message
                // headers, from the ingest's publish to the worker's consume.
                .AddSource(DiagnosticHeaders.DefaultListenerName, SegmentTracing.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsProbeOrScrape(http.Request.Path))
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(SegmentNovuMetrics.MeterName, InstrumentationOptions.MeterName)
                .AddRuntimeInstrumentation()
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation());
        StartPrometheusMeterAdapter();
        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
            telemetry.UseOtlpExporter(); // reads OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_PROTOCOL itself

        // Logging:Console:FormatterName picks the format (json or simple); scopes are on in both, whatever the
        // configuration says, because the Segment messageId of every line about an event is a scope.
        builder.Services.Configure<JsonConsoleFormatterOptions>(o => o.IncludeScopes = true);
        builder.Services.Configure<SimpleConsoleFormatterOptions>(o => o.IncludeScopes = true);
        // The plain-text formats write what events say (names, ids) as they are: control characters are escaped first.
        NeutralisingConsoleFormatter.Wrap(builder.Services);
        return builder;
    }

    /// <summary>
    /// The Prometheus scrape at <see cref="MetricsPath"/>: prometheus-net publishes every .NET meter of the process
    /// (the service's, MassTransit's, the runtime's) beside its own process metrics.
    /// </summary>
    public static IEndpointConventionBuilder MapMetricsEndpoint(this IEndpointRouteBuilder app) => app.MapMetrics(MetricsPath);

    /// <summary>The meters the scrape publishes: the same as the OTLP export's (the last three are the runtime's, ASP.NET Core's and HttpClient's).</summary>
    static readonly string[] ScrapedMeters =
        [SegmentNovuMetrics.MeterName, InstrumentationOptions.MeterName, "System.Runtime", "Microsoft.AspNetCore.Hosting", "System.Net.Http"];

    static readonly Lazy<IDisposable> PrometheusMeterAdapter = new(() =>
    {
        // prometheus-net would start its own adapter at the first scrape, losing every count made before it, and over
        // every meter of the process; this one listens from the start, to the meters the OTLP export has.
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true, SuppressEventCounters = true });
        return MeterAdapter.StartListening(new MeterAdapterOptions
        {
            InstrumentFilterPredicate = instrument => ScrapedMeters.Contains(instrument.Meter.Name, StringComparer.Ordinal),
        });
    });

    // One adapter per process, however many hosts it runs (the tests run several); it lives as long as the process.
    static void StartPrometheusMeterAdapter() => _ = PrometheusMeterAdapter.Value;

    static bool IsProbeOrScrape(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments(MetricsPath);
}
