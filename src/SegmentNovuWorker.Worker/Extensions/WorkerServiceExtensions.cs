using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Consumers;
using SegmentNovuWorker.Worker.Failures;
using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.Worker.Extensions;

public static class WorkerServiceExtensions
{
    /// <summary>Options, the Novu client, and MassTransit with one endpoint per Segment call type.</summary>
    public static WebApplicationBuilder AddWorkerServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkflowMappingOptions>()
            .BindConfiguration(WorkflowMappingOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddOptions<RetryOptions>()
            .BindConfiguration(RetryOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddWorkflowMapping();
        builder.Services.AddNovuClient();
        builder.Services.AddSingleton<WaitQueues>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RecipientResolver>();
        builder.Services.AddScoped<WorkflowTrigger>();
        builder.Services.AddSingleton<WorkerMetrics>();
        builder.Services.AddHealthChecks();

        // Start consuming before the host reports started, and never leave a bus starting in the background of a
        // host that is already stopping (it would consume with a disposed container).
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromMinutes(1);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });

        builder.Services.AddSegmentNovuMassTransit(x =>
        {
            x.AddConsumer<IdentifyConsumer, IdentifyConsumerDefinition>();
            x.AddConsumer<TrackConsumer, TrackConsumerDefinition>();
            x.AddConsumer<PageConsumer, PageConsumerDefinition>();
            x.AddConsumer<ScreenConsumer, ScreenConsumerDefinition>();
            x.AddConsumer<GroupConsumer, GroupConsumerDefinition>();
            x.AddConsumer<DeleteConsumer, DeleteConsumerDefinition>();
            x.AddConsumer<AliasConsumer, AliasConsumerDefinition>();
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.UseSegmentNovuHost(context, "segment-novu-worker");
                cfg.UseFilter(new SegmentLogScopeFilter(context.GetRequiredService<ILogger<SegmentLogScopeFilter>>()));
                cfg.ConfigureEndpoints(context);
            });
        });
        return builder;
    }
}
