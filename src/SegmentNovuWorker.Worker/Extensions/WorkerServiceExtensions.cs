using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Messaging.DeliveryLog;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Consumers;
using SegmentNovuWorker.Worker.Consumption;
using SegmentNovuWorker.Worker.DeliveryLog;
using SegmentNovuWorker.Worker.Failures;
using SegmentNovuWorker.Worker.Mapping;
using SegmentNovuWorker.Worker.Ordering;
using SegmentNovuWorker.Worker.Pipeline;
using SegmentNovuWorker.Worker.Subscribers;

namespace SegmentNovuWorker.Worker.Extensions;

public static class WorkerServiceExtensions
{
    /// <summary>
    /// Options, the Novu client, the owner of consumption, and MassTransit with one endpoint per partition queue, each
    /// built by <see cref="PartitionPipeline"/>.
    /// </summary>
    public static WebApplicationBuilder AddWorkerServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkflowMappingOptions>()
            .BindConfiguration(WorkflowMappingOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddOptions<WorkerOptions>()
            .BindConfiguration(WorkerOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddOptions<RetryOptions>()
            .BindConfiguration(RetryOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddOptions<DeadLetterQueueOptions>()
            .BindConfiguration(DeadLetterQueueOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddOptions<SubscriberMemoryOptions>()
            .BindConfiguration(SubscriberMemoryOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddWorkflowMapping();
        builder.Services.AddNovuClient();
        builder.Services.AddDeliveryLog("worker");
        builder.Services.AddSingleton<DeliveryRecorder>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        // The one owner of consumption (the balancer asks it), and the one owner of "is Novu usable now" (the gate asks it).
        // One connection beside the bus, for the probe, the depth sampler and the balancer.
        builder.Services.AddSingleton(sp => new SideConnection(sp.GetRequiredService<BrokerConnections>(), "segment-novu-worker-side"));
        builder.Services.AddSingleton<BrokerConsumerProbe>();
        builder.Services.AddSingleton<ConsumptionControl>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConsumptionControl>());
        builder.Services.AddSingleton<NovuAvailability>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NovuAvailability>());
        builder.Services.AddSingleton<PartitionChannels>();
        builder.Services.AddSingleton<PartitionLanes>();
        // Tells a delivery's lane when MassTransit has acknowledged it (a handover closes the channel only then).
        builder.Services.AddReceiveObserver<LaneSettlement>();
        builder.Services.AddSingleton<PartitionBalancer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PartitionBalancer>());
        builder.Services.AddSingleton<WaitQueues>();
        builder.Services.AddSingleton<ScratchChannels>();
        builder.Services.AddSingleton<HoldQueues>();
        builder.Services.AddHostedService<HoldSweeper>();
        builder.Services.AddSingleton<WaitQueueRedelivery>();
        builder.Services.AddSingleton<RecipientResolver>();
        builder.Services.AddSingleton<SubscriberMemory>();
        builder.Services.AddScoped<WorkflowTrigger>();
        builder.Services.AddHealthChecks()
            .AddCheck<ConsumptionControl>(ConsumptionControl.HealthCheckName, tags: ["ready"])
            .AddCheck<NovuAvailability>(NovuAvailability.HealthCheckName, tags: ["ready"]);

        // The bus starts in the background: a worker started before its broker answers /health/live at once (so an
        // orchestrator does not kill it for the broker's absence) and is not ready until the bus and every partition
        // consume (MassTransit's bus check and ConsumptionControl's). The stop waits for what is in flight; past
        // Worker:ConsumerStopTimeout MassTransit cancels the deliveries still running (they go back to the queue) and
        // goes on to close the endpoint's channel, as a stop should.
        builder.Services.AddOptions<MassTransitHostOptions>().Configure<IOptions<WorkerOptions>>((o, worker) =>
        {
            o.WaitUntilStarted = false;
            o.ConsumerStopTimeout = worker.Value.ConsumerStopTimeout;
            o.StopTimeout = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, 2 * worker.Value.ConsumerStopTimeout.Ticks));
        });

        builder.Services.AddSegmentNovuMassTransit(x =>
        {
            x.AddConsumers(SegmentCallConsumers.Types);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.UseSegmentNovuHost(context, "segment-novu-worker");
                cfg.UsePartitionErrorQueues(context.GetRequiredService<IOptions<DeadLetterQueueOptions>>().Value);
                foreach (var partition in context.GetRequiredService<IOptions<TopologyOptions>>().Value.All)
                    cfg.ReceiveEndpoint(SegmentQueues.PartitionQueue(partition), e => e.ConfigurePartitionEndpoint(cfg, context, partition));
            });
        }, sp => QueueDeclaration.OfWorker(sp.GetRequiredService<IOptions<TopologyOptions>>().Value,
            sp.GetRequiredService<IOptions<DeadLetterQueueOptions>>().Value));
        return builder;
    }
}
