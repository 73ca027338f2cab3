using MassTransit;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Consumers;
using SegmentNovuWorker.Worker.Consumption;
using SegmentNovuWorker.Worker.DeliveryLog;
using SegmentNovuWorker.Worker.Failures;
using SegmentNovuWorker.Worker.MassTransitSeam;
using SegmentNovuWorker.Worker.Ordering;
using SegmentNovuWorker.Worker.Subscribers;

namespace SegmentNovuWorker.Worker.Pipeline;

/// <summary>
/// The whole pipeline of a partition endpoint, top to bottom, in one place. A delivery passes, in this order:
/// <list type="number">
/// <item><b>Consumption</b>: <see cref="ConsumptionControl"/> stops and starts the endpoint only to hand it over, to shut
/// down and to recover a lost consumer (never for Novu); each (re)start drops the memory of subscribers sent (<see cref="ColdStartOnReady"/>).</item>
/// <item><b>Receive pipe</b>: <see cref="UserLaneFilter"/>, around everything below: the user's lane (delivery-tag order,
/// one event of a user at a time, a held user's events parked in its hold), the hold check, and handing a hold's lead on.</item>
/// <item><b>Error pipe</b> (when an exception leaves the consume pipe): the <c>SNW-*</c> headers (<see cref="DeadLetterHeadersFilter"/>),
/// then MassTransit's fault and move to <c>_error</c>.</item>
/// <item><b>Consume pipe</b>, once per delivery: the Segment messageId log scope; then a delivery on its last hand-out by
/// the queue goes to <c>_error</c> untried (<see cref="DeliveryLimitFilter"/>), so that a hold head it leads is released.</item>
/// <item><b>Consume pipe</b>, per message type, outside in: delayed redelivery through wait queues (<see cref="WaitQueueRedelivery"/>);
/// in-process retry (<see cref="RetryAfterRetryPolicy"/>); per attempt, the Novu gate (<see cref="NovuGateFilter{TConsumer,TMessage}"/>:
/// waits while <see cref="NovuAvailability"/> says Novu is down or refuses the account, and runs the attempt through its
/// breaker), then <see cref="FailureTrackingFilter{TConsumer,TMessage}"/> (the failure report); the consumer of the Segment call.</item>
/// </list>
/// Which failures are retried where (docs/worker.md says the same): HTTP (Polly, in <c>AddNovuClient</c>) only times an
/// attempt out; Novu's rate limit is paced in the Novu client and is no failure; <see cref="NovuRetryableException"/> is
/// retried in process (<see cref="RetryOptions.Immediate"/>, a Retry-After up to <see cref="RetryOptions.MaxInProcessRetryAfter"/>
/// waited out), then redelivered (<see cref="RetryOptions.Redelivery"/>); an outage and a refused account are retried by
/// none of these: the delivery waits at the gate; everything else goes to <c>_error</c> at once.
/// </summary>
public static class PartitionPipeline
{
    public static void ConfigurePartitionEndpoint(this IRabbitMqReceiveEndpointConfigurator e, IRabbitMqBusFactoryConfigurator cfg,
        IBusRegistrationContext context, int partition)
    {
        var worker = context.GetRequiredService<IOptions<WorkerOptions>>().Value;
        var retry = context.GetRequiredService<IOptions<RetryOptions>>().Value;
        var holds = context.GetRequiredService<HoldQueues>();
        var lanes = context.GetRequiredService<PartitionLanes>();
        var queue = SegmentQueues.PartitionQueue(partition);

        // The queue, its bindings, and how many deliveries it holds at once (a memory bound); how many Novu calls run at
        // once is the Novu client's pacing. Every delivery held must be able to reach the lanes, hence the same limit.
        e.BindPartition(cfg, partition);
        var prefetch = worker.PrefetchOf(context.GetRequiredService<IOptions<TopologyOptions>>().Value.Partitions);
        e.PrefetchCount = prefetch;
        e.ConcurrentMessageLimit = prefetch;

        // 1. Consumption.
        e.ConnectReceiveEndpointObserver(context.GetRequiredService<ConsumptionControl>());
        // A (re)started partition may have been another worker's meanwhile: identifies are sent again, never skipped on old memory.
        e.ConnectReceiveEndpointObserver(new ColdStartOnReady(context.GetRequiredService<SubscriberMemory>()));

        // 2. Receive pipe.
        e.ConfigureReceive(r => r.UseFilter(new UserLaneFilter(lanes.For(queue), lanes, holds, worker.UserShare, context.GetRequiredService<ILogger<UserLaneFilter>>(),
            context.GetRequiredService<DeliveryRecorder>())));

        // 3. Error pipe.
        e.UseDeadLetterPipe(new DeadLetterHeadersFilter(context.GetRequiredService<DeliveryRecorder>()));

        // 4. Once per delivery.
        e.UseDeliveryFilter(new SegmentLogScopeFilter(context.GetRequiredService<ILogger<SegmentLogScopeFilter>>()));
        e.UseDeliveryFilter(new DeliveryLimitFilter());

        // 5. Per message type, outside in.
        e.UseScheduledRedelivery(context.GetRequiredService<WaitQueueRedelivery>(), r =>
        {
            r.Handle<NovuRetryableException>();
            r.SetRetryPolicy(filter => new RetryAfterRetryPolicy(MassTransitInternals.Intervals(filter, retry.RedeliveryDelays)));
        });
        e.UseMessageRetry(r =>
        {
            r.Handle<NovuRetryableException>();
            r.SetRetryPolicy(filter =>
                new RetryAfterRetryPolicy(MassTransitInternals.Intervals(filter, retry.ImmediateDelays), retry.MaxInProcessRetryAfter));
        });
        e.ConnectConsumerConfigurationObserver(new NovuAttemptObserver(context.GetRequiredService<TimeProvider>(),
            context.GetRequiredService<NovuAvailability>(), context.GetRequiredService<WaitQueueRedelivery>(), worker.NovuPauseLimit,
            context.GetRequiredService<DeliveryRecorder>()));
        // One by one: ConfigureConsumers would put each consumer on the first partition only.
        foreach (var consumer in SegmentCallConsumers.Types)
            e.ConfigureConsumer(context, consumer);
    }
}
