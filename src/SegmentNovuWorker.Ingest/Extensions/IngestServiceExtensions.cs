using MassTransit;
using SegmentNovuWorker.Ingest.Publishing;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Ingest.Extensions;

public static class IngestServiceExtensions
{
    /// <summary>Options, MassTransit (publish only) and the publisher.</summary>
    public static WebApplicationBuilder AddIngestServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestOptions>()
            .BindConfiguration(IngestOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
        builder.Services.AddScoped<SegmentEventPublisher>();

        builder.Services.AddSegmentNovuMassTransit(x =>
        {
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.UseSegmentNovuHost(context, "segment-novu-ingest");
                cfg.DeclareSegmentQueues();
            });
        });
        return builder;
    }
}
