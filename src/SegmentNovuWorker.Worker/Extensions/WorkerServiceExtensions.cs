using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Consumers;
using SegmentNovuWorker.Worker.Failures;
using SegmentNovuWorker.Worker.Mapping;
using SegmentNovuWorker.Worker.Ordering;

namespace SegmentNovuWorker.Worker.Extensions;

public static class WorkerServiceExtensions
{
    /// <summary>
    /// Options, the Novu client, and MassTransit with one endpoint per partition queue, each hosting the consumer of
    /// every Segment call and the failure policy.
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

        builder.Services.AddWorkflowMapping();
        builder.Services.AddNovuClient();
        builder.Services.AddSingleton<WaitQueues>();
        builder.Services.AddSingleton<HoldQueues>();
        builder.Services.AddSingleton<PartitionBalancer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PartitionBalancer>());
        builder.Services.AddSingleton<AccountPause>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AccountPause>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RecipientResolver>();
        builder.Services.AddScoped<WorkflowTrigger>();
        builder.Services.AddSingleton<WorkerMetrics>();
        builder.Services.AddHealthChecks().AddCheck<AccountPause>("novu-account", tags: ["ready"]);

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
            x.AddConsumers(SegmentCallConsumers.Types);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.UseSegmentNovuHost(context, "segment-novu-worker");
                cfg.UsePartitionErrorQueues();
                cfg.UseFilter(new SegmentLogScopeFilter(context.GetRequiredService<ILogger<SegmentLogScopeFilter>>()));

                var topology = context.GetRequiredService<IOptions<TopologyOptions>>().Value;
                var worker = context.GetRequiredService<IOptions<WorkerOptions>>().Value;
                foreach (var partition in topology.All)
                {
                    cfg.ReceiveEndpoint(SegmentQueues.PartitionQueue(partition), e =>
                    {
                        e.BindPartition(cfg, partition);
                        e.ConnectReceiveEndpointObserver(context.GetRequiredService<PartitionBalancer>());
                        e.PrefetchCount = worker.Concurrency;
                        e.ConcurrentMessageLimit = worker.Concurrency;
                        e.UseSegmentNovuFailurePolicy(context);
                        // One by one: ConfigureConsumers would put each consumer on the first partition only.
                        foreach (var consumer in SegmentCallConsumers.Types)
                            e.ConfigureConsumer(context, consumer);
                    });
                }
            });
        }, sp => QueueDeclaration.OfWorker(sp.GetRequiredService<IOptions<TopologyOptions>>().Value));
        return builder;
    }
}
