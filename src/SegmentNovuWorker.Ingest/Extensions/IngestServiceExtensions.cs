using MassTransit;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Ingest.Endpoints;
using SegmentNovuWorker.Ingest.Publishing;
using SegmentNovuWorker.Ingest.RateLimiting;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Ingest.Extensions;

public static class IngestServiceExtensions
{
    /// <summary>Options, the rate limiter, MassTransit (publish only) and the publisher.</summary>
    public static WebApplicationBuilder AddIngestServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestOptions>()
            .BindConfiguration(IngestOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<SegmentOptions>()
            .BindConfiguration(SegmentOptions.Section)
            .Validate(o => o.WriteKeys.All(k => !string.IsNullOrWhiteSpace(k)), "Segment:WriteKeys must not hold an empty key.")
            .ValidateOnStart();

        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
        builder.Services.AddSourceRateLimiter();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<SegmentEventPublisher>();
        builder.Services.AddScoped<EventIntake>();

        builder.Services.AddSegmentNovuMassTransit(x =>
        {
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.UseSegmentNovuHost(context, "segment-novu-ingest");
                cfg.DeclareSegmentQueues(context.GetRequiredService<IOptions<TopologyOptions>>().Value);
            });
        });
        return builder;
    }

    /// <summary>Says at start which sources are open, without naming a secret.</summary>
    public static void LogSourceSecurity(this WebApplication app)
    {
        var segment = app.Services.GetRequiredService<IOptions<SegmentOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SegmentNovuWorker.Ingest");
        if (segment.AllSharedSecrets.Count == 0)
            logger.LogWarning("Segment:SharedSecret is not set: /webhooks/segment accepts unsigned requests");
        if (segment.WriteKeys.Length == 0)
            logger.LogWarning("Segment:WriteKeys is empty: /v1/* accepts any write key");
    }
}
