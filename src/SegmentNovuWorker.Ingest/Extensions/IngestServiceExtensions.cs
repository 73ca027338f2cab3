using System.Net;
using MassTransit;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Ingest.Authentication;
using SegmentNovuWorker.Ingest.Endpoints;
using SegmentNovuWorker.Ingest.Publishing;
using SegmentNovuWorker.Ingest.RateLimiting;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Messaging.DeliveryLog;

namespace SegmentNovuWorker.Ingest.Extensions;

public static class IngestServiceExtensions
{
    /// <summary>Options, the rate limiter, MassTransit (publish only) and the publisher.</summary>
    public static WebApplicationBuilder AddIngestServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestOptions>()
            .BindConfiguration(IngestOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.ManagementUrl is not { Length: > 0 } || ManagementPortExtensions.PortOf(o.ManagementUrl) is not null,
                "Ingest:ManagementUrl must be an address with its port, e.g. http://+:9464.")
            .ValidateOnStart();
        builder.Services.AddOptions<SegmentOptions>()
            .BindConfiguration(SegmentOptions.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SegmentOptions>, CredentialsValidation>();
        builder.Services.AddOptions<RejectedQueueOptions>()
            .BindConfiguration(RejectedQueueOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<WebhookLimitOptions>()
            .BindConfiguration(WebhookLimitOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<RetryMemoryOptions>()
            .BindConfiguration(RetryMemoryOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ConfirmedEvents>();
        builder.Services.AddSingleton<FirstElementSignatureGuard>();
        builder.Services.AddSingleton<FirstElementTickets>();
        builder.Services.AddHostedService(services => services.GetRequiredService<FirstElementTickets>());
        builder.Services.AddTrustedProxies(builder.Configuration);

        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
        builder.Services.AddSourceRateLimiter();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<SegmentEventPublisher>();
        builder.Services.AddScoped<EventIntake>();
        builder.Services.AddDeliveryLog("ingest");

        builder.Services.AddSegmentNovuMassTransit(x =>
        {
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.UseSegmentNovuHost(context, "segment-novu-ingest");
                cfg.DeclareSegmentQueues(context.GetRequiredService<IOptions<TopologyOptions>>().Value,
                    context.GetRequiredService<IOptions<RejectedQueueOptions>>().Value);
            });
        }, sp => QueueDeclaration.OfIngest(sp.GetRequiredService<IOptions<TopologyOptions>>().Value,
            sp.GetRequiredService<IOptions<RejectedQueueOptions>>().Value));
        return builder;
    }

    /// <summary>
    /// <c>X-Forwarded-For</c> is believed only from the proxies listed in <c>Ingest:KnownProxies</c>; without them the
    /// client address (which the unauthenticated rate limit is keyed on) is the connection's.
    /// </summary>
    static void AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = configuration.GetSection(IngestOptions.Section + ":" + nameof(IngestOptions.KnownProxies)).Get<string[]>() ?? [];
        services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            forwarded.ForwardLimit = 1;
            // The defaults trust loopback; only the configured proxies are trusted here.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                if (!IPAddress.TryParse(proxy, out var address))
                    throw new OptionsValidationException(nameof(IngestOptions), typeof(IngestOptions), [$"Ingest:KnownProxies holds '{proxy}', which is not an IP address."]);
                forwarded.KnownProxies.Add(address);
            }
        });
    }

    /// <summary>
    /// The forwarded-headers middleware only with <c>Ingest:KnownProxies</c>: with no known proxy at all it would
    /// believe every sender's <c>X-Forwarded-For</c>.
    /// </summary>
    public static void UseTrustedProxies(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<IngestOptions>>().Value.KnownProxies.Length > 0)
            app.UseForwardedHeaders();
    }

    /// <summary>Says at start which sources are open, loudly, without naming a secret.</summary>
    public static void LogSourceSecurity(this WebApplication app)
    {
        var segment = app.Services.GetRequiredService<IOptions<SegmentOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SegmentNovuWorker.Ingest");
        if (!segment.HasWebhookCredentials)
            logger.LogCritical("UNAUTHENTICATED: Segment:SharedSecret and Segment:WebhookTokens are not set and Ingest:AllowUnauthenticated=true: /webhooks/segment accepts unsigned events from anyone. For local trials only");
        if (!segment.HasWriteKeys)
            logger.LogCritical("UNAUTHENTICATED: Segment:WriteKeys is empty and Ingest:AllowUnauthenticated=true: /v1/* accepts any write key, deletes included. For local trials only");
        if (segment.AcceptFirstElementSignature)
            logger.LogWarning("Segment:AcceptFirstElementSignature=true: an array signed over its first element only is accepted once per first element, " +
                "while that element is within {Window}; whoever intercepts such a batch before it is accepted can add events to it. Segment:WebhookTokens has no such limit",
                segment.FirstElementSignatureWindow);
        if (segment.AcceptFirstElementSignature && segment.FirstElementSignatureWindow < SegmentOptions.SegmentRetryHorizon)
            logger.LogWarning("Segment:FirstElementSignatureWindow ({Window}) is shorter than Segment's retries ({Horizon}): a first-element-signed batch " +
                "that Segment retries later than that is refused, and Actions does not retry a 401", segment.FirstElementSignatureWindow, SegmentOptions.SegmentRetryHorizon);
    }
}
