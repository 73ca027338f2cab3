using System.Threading.Channels;
using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Messaging.Telemetry;

namespace SegmentNovuWorker.Worker.Consumption;

/// <summary>
/// The one owner of consumption: it alone stops and starts this worker's partition endpoints. Others ask it, for a named
/// <see cref="ConsumptionReason"/> (<see cref="StepBack"/> to hand a partition over; the host's stop); an endpoint consumes
/// while no reason holds it. It also watches what MassTransit reports: an endpoint that should consume but has had no
/// consumer for <see cref="WorkerOptions.ConsumerRecovery"/> (a broker restart can leave a receive transport given up or
/// stuck in its stop) is restarted, and past <see cref="WorkerOptions.UnconsumedAlarm"/> it makes <c>/health/ready</c>
/// unhealthy, naming the partitions and the reason, with a warning in the log.
/// </summary>
/// <remarks>
/// Every decision runs on one loop, one command after another, so two wishes never race over one endpoint (a recovery can
/// never start an endpoint whose handover is still under way). Commands are idempotent: a handover of a partition that is
/// not consuming, or a recovery of one that is, does nothing. Novu being down is no reason to stop: deliveries wait at the Novu gate.
/// </remarks>
public sealed class ConsumptionControl(
    IOptions<TopologyOptions> topology,
    IOptions<WorkerOptions> options,
    BrokerConsumerProbe broker,
    PartitionChannels channels,
    IHostApplicationLifetime lifetime,
    SegmentNovuMetrics metrics,
    TimeProvider clock,
    ILogger<ConsumptionControl> logger)
    : BackgroundService, IReceiveEndpointObserver, IHealthCheck
{
    /// <summary>The name of the health check: <c>/health/ready</c> lists it with the partitions not consuming.</summary>
    public const string HealthCheckName = "consumption";

    readonly Lock _gate = new();
    readonly Dictionary<string, PartitionState> _partitions = topology.Value.All
        .ToDictionary(p => SegmentQueues.PartitionQueue(p), p => new PartitionState(SegmentQueues.PartitionQueue(p), clock.GetUtcNow()), StringComparer.Ordinal);
    readonly Channel<Func<CancellationToken, Task>> _commands = Channel.CreateUnbounded<Func<CancellationToken, Task>>(new UnboundedChannelOptions { SingleReader = true });

    sealed class PartitionState(string queue, DateTimeOffset since)
    {
        public string Queue { get; } = queue;
        public IReceiveEndpoint? Endpoint { get; set; }
        /// <summary>What holds it (asked for); empty: it should consume.</summary>
        public HashSet<ConsumptionReason> Asked { get; } = [];
        /// <summary>Started by the bus or by this owner, and not stopped since.</summary>
        public bool Running { get; set; } = true;
        /// <summary>MassTransit reported its consumer subscribed, and no fault or stop since.</summary>
        public bool Ready { get; set; }
        public DateTimeOffset NotReadySince { get; set; } = since;
        /// <summary>When the watch last restarted it (each restart gets its own grace), or when it lost its consumer.</summary>
        public DateTimeOffset RecoveryDue { get; set; } = since;
        public bool Alarmed { get; set; }
        /// <summary>The watch's restart of it under way, if any: one at a time.</summary>
        public Task? Recovery { get; set; }
    }

    /// <summary>A partition that is not consuming, and why.</summary>
    public sealed record Stopped(string Queue, ConsumptionReason Reason, DateTimeOffset Since);

    /// <summary>
    /// The host is stopping: every partition is held for <see cref="ConsumptionReason.ShuttingDown"/>, so that nothing here
    /// (the watch's recovery, a handover) starts an endpoint again. The bus stops its endpoints itself as the host stops.
    /// </summary>
    void ShutDown() => Enqueue(_ =>
    {
        lock (_gate)
        {
            foreach (var p in _partitions.Values)
                p.Asked.Add(ConsumptionReason.ShuttingDown);
        }
        logger.LogInformation("Stopping {Count} partition(s) for {Reason}", _partitions.Count, ConsumptionReason.ShuttingDown.Name());
        return Task.CompletedTask;
    });

    /// <summary>
    /// Hands one partition to the next subscriber of its single-active-consumer queue (<see cref="ConsumptionReason.Rebalancing"/>):
    /// runs <paramref name="handOver"/> (which lets what started finish and closes the consumer's channel, so the rest
    /// goes back to the queue in place); MassTransit then subscribes again, at the back of the line. Ignored while
    /// anything holds the partition. Completes once done.
    /// </summary>
    public Task StepBack(string queue, Func<CancellationToken, Task> handOver) => EnqueueAndWait(async ct =>
    {
        var partition = _partitions.GetValueOrDefault(queue);
        lock (_gate)
        {
            if (partition is null || partition.Asked.Count > 0 || !partition.Running || !partition.Ready)
                return;
            partition.Asked.Add(ConsumptionReason.Rebalancing);
        }
        try
        {
            await handOver(ct);
        }
        finally
        {
            lock (_gate)
            {
                partition.Asked.Remove(ConsumptionReason.Rebalancing);
                MarkNotReady(partition);
            }
        }
    });

    /// <summary>The partitions not consuming now, with the reason: what was asked first, else what was seen.</summary>
    public IReadOnlyList<Stopped> NotConsuming()
    {
        lock (_gate)
        {
            return [.. _partitions.Values.Where(p => p.Asked.Count > 0 || !p.Ready).OrderBy(p => p.Queue, StringComparer.Ordinal).Select(p =>
                new Stopped(p.Queue, p.Asked.Count > 0 ? p.Asked.Min() : ConsumptionReason.BrokerConnectionLost, p.NotReadySince))];
        }
    }

    /// <summary>Is anything asked to hold consumption for <paramref name="reason"/>?</summary>
    public bool IsHeldFor(ConsumptionReason reason)
    {
        lock (_gate)
            return _partitions.Values.Any(p => p.Asked.Contains(reason));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        lifetime.ApplicationStopping.Register(ShutDown);
        metrics.ObserveConsumptionStopped(() => NotConsuming().Select(s => (s.Queue, s.Reason.Name())));
        var watch = Task.Run(() => WatchAsync(stoppingToken), CancellationToken.None);
        try
        {
            await foreach (var command in _commands.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await command(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("A consumption command failed: {Reason}", exception.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await watch;
    }

    async Task WatchAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ConsumptionWatchInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await EnqueueAndWait(RecoverAsync);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Restarts what should consume and has not for a while; raises the alarm for what stays that way.</summary>
    async Task RecoverAsync(CancellationToken cancellationToken)
    {
        if (IsHeldFor(ConsumptionReason.ShuttingDown))
            return;
        // What the broker says beats what MassTransit last reported: a partition with no consumer at all is not consumed.
        if (await broker.ConsumerCountsAsync(_partitions.Keys, cancellationToken) is { } counts)
        {
            lock (_gate)
            {
                foreach (var p in _partitions.Values.Where(p => p.Ready && p.Asked.Count == 0 && counts.GetValueOrDefault(p.Queue) == 0))
                {
                    logger.LogDebug("{Queue} was reported ready but the broker shows no consumer on it", p.Queue);
                    MarkNotReady(p);
                }
            }
        }
        var now = clock.GetUtcNow();
        List<PartitionState> stuck;
        lock (_gate)
        {
            stuck = [.. _partitions.Values.Where(p => p.Asked.Count == 0 && !p.Ready && p.Recovery is not { IsCompleted: false }
                && now - p.RecoveryDue >= options.Value.ConsumerRecovery)];
            var alarmed = _partitions.Values.Where(p => p.Asked.Count == 0 && !p.Ready && !p.Alarmed && now - p.NotReadySince >= options.Value.UnconsumedAlarm).ToList();
            if (alarmed.Count > 0)
            {
                foreach (var p in alarmed)
                    p.Alarmed = true;
                logger.LogWarning("Partitions {Queues} should be consumed by this worker but have had no consumer for {Seconds} s or more " +
                    "({Reason}); restarting them. /health/ready is unhealthy until they consume again",
                    string.Join(", ", alarmed.Select(p => p.Queue)), (int)options.Value.UnconsumedAlarm.TotalSeconds, ConsumptionReason.BrokerConnectionLost.Name());
            }
        }
        // Side by side, and without holding the loop: a stop waits for the endpoint's deliveries (up to StopBound), and a
        // partition found stuck meanwhile must not wait for another's restart. Each partition has one restart at a time;
        // what else could touch it waits for nothing of it (a handover needs it ready, the shutdown leaves it to the bus).
        foreach (var p in stuck.Where(p => p.Endpoint is not null))
            p.Recovery = Task.Run(() => RestartAsync(p, cancellationToken), CancellationToken.None);
    }

    async Task RestartAsync(PartitionState p, CancellationToken cancellationToken)
    {
        try
        {
            logger.LogInformation("Restarting {Queue}: it should consume but has had no consumer since {Since:O}", p.Queue, p.NotReadySince);
            // Its channels first: after a lost connection, deliveries of a dead channel that still wait (for an earlier tag
            // MassTransit dropped, for an earlier event of their user) would hold the stop until its bound. Released now,
            // before the stop begins, none of them ends while MassTransit's stop cancels its pending deliveries.
            await channels.CloseAsync(p.Queue, "recovering the partition", options.Value.ConsumerStopTimeout, cancellationToken);
            await StopEndpointAsync(p, cancellationToken);
            await StartEndpointAsync(p, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Restarting {Queue} failed: {Reason}", p.Queue, exception.Message);
        }
        finally
        {
            lock (_gate)
                p.RecoveryDue = clock.GetUtcNow(); // the restart gets its own grace before the next; the alarm still counts from the loss
        }
    }

    /// <summary>
    /// Stops the endpoint, and makes sure the stop ends: within <see cref="StopBound"/> (five
    /// <see cref="WorkerOptions.ConsumerStopTimeout"/>s) the partition is stopped, its channels closed and its deliveries
    /// back in the queue, in place, whatever MassTransit did, so that it can be started afresh.
    /// </summary>
    async Task StopEndpointAsync(PartitionState partition, CancellationToken cancellationToken)
    {
        if (partition.Endpoint is not { } endpoint)
        {
            partition.Running = false; // never reported by MassTransit: nothing to stop, and nothing to start until it is
            return;
        }
        // A stop waits for the deliveries in flight; at Worker:ConsumerStopTimeout MassTransit cancels them (they go back to
        // the queue) and closes the channel. This bound is for a stop that still does not end: one endpoint must not hold
        // up the decisions for all the others.
        var limit = options.Value.ConsumerStopTimeout * 2;
        using var bound = new CancellationTokenSource(limit, clock);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        var stop = endpoint.Stop(timeout.Token);
        try
        {
            await stop.WaitAsync(limit + options.Value.ConsumerStopTimeout, clock, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Stopping {Queue} took longer than {Timeout}; its channel is closed, its deliveries go back to the queue", partition.Queue, limit);
            await LetGoAsync(partition, endpoint, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Seen after broker restarts under load: a stop that never ended left its partition without a consumer for good.
            // What it waits for are deliveries of a dead channel (an earlier tag MassTransit dropped while stopping, an
            // earlier event of the user): closing the channels releases them.
            logger.LogWarning("{Queue} has not stopped after {Timeout}; its channels are closed, what waits of them is released, " +
                "and it is started afresh", partition.Queue, limit + options.Value.ConsumerStopTimeout);
            await LetGoAsync(partition, endpoint, cancellationToken);
            if (await Task.WhenAny(stop, Task.Delay(options.Value.ConsumerStopTimeout, clock, cancellationToken)) != stop)
                logger.LogWarning("MassTransit's stop of {Queue} still has not ended; the partition is started again regardless", partition.Queue);
        }
        lock (_gate)
        {
            partition.Running = false;
            MarkNotReady(partition);
        }
    }

    /// <summary>The longest a stop of a partition takes here, whatever MassTransit does: five <see cref="WorkerOptions.ConsumerStopTimeout"/>s.</summary>
    public TimeSpan StopBound => options.Value.ConsumerStopTimeout * 5;

    /// <summary>
    /// Finishes a stop that was cut short. MassTransit leaves such an endpoint half stopped: its consumer cancelled but its
    /// channel open, so the broker keeps every delivery of it unsettled for good (a quorum queue still counts that consumer),
    /// and its handle in place, so <c>Start</c> refuses ("already started") and no consumer comes. Closing the channel gives
    /// the deliveries back to the queue, in place, and releases what still waits of them; a second stop finds the transport
    /// already stopping and lets go of the handle at once.
    /// </summary>
    async Task LetGoAsync(PartitionState partition, IReceiveEndpoint endpoint, CancellationToken cancellationToken)
    {
        await channels.CloseAsync(partition.Queue, "the partition's stop was cut short", options.Value.ConsumerStopTimeout, cancellationToken);
        try
        {
            await endpoint.Stop(cancellationToken).WaitAsync(options.Value.ConsumerStopTimeout, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("{Queue} did not let go of its stopped transport; the watch restarts it", partition.Queue);
        }
    }

    async Task StartEndpointAsync(PartitionState partition, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (partition.Asked.Count > 0 || partition.Endpoint is null)
                return;
        }
        try
        {
            // Not awaiting Ready: a broker that is still away would hold the loop; the watch sees whether it comes.
            partition.Endpoint.Start(cancellationToken);
        }
        catch (InvalidOperationException exception)
        {
            // "already started": MassTransit still holds the handle of a transport it stopped; the watch restarts it.
            logger.LogDebug("{Queue} could not be started: {Reason}", partition.Queue, exception.Message);
        }
        lock (_gate)
            partition.Running = true;
    }

    void MarkNotReady(PartitionState partition)
    {
        if (partition.Ready)
            partition.NotReadySince = partition.RecoveryDue = clock.GetUtcNow();
        partition.Ready = false;
    }

    void Enqueue(Func<CancellationToken, Task> command)
    {
        if (!_commands.Writer.TryWrite(command))
            throw new InvalidOperationException("The consumption loop has stopped.");
    }

    Task EnqueueAndWait(Func<CancellationToken, Task> command)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(async ct =>
        {
            try
            {
                await command(ct);
                done.TrySetResult();
            }
            catch (Exception exception)
            {
                done.TrySetException(exception);
                throw;
            }
        });
        return done.Task;
    }

    PartitionState? StateOf(ReceiveEndpointEvent e) => _partitions.GetValueOrDefault(Uri.UnescapeDataString(e.InputAddress.Segments[^1]));

    public Task Ready(ReceiveEndpointReady ready)
    {
        lock (_gate)
        {
            if (StateOf(ready) is { } p)
            {
                p.Endpoint = ready.ReceiveEndpoint;
                p.Ready = true;
                if (p.Alarmed)
                    logger.LogWarning("{Queue} is consumed again after {Seconds:0} s without a consumer", p.Queue, (clock.GetUtcNow() - p.NotReadySince).TotalSeconds);
                p.Alarmed = false;
            }
        }
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => NotReady(stopping);
    public Task Completed(ReceiveEndpointCompleted completed) => NotReady(completed);
    public Task Faulted(ReceiveEndpointFaulted faulted) => NotReady(faulted);

    Task NotReady(ReceiveEndpointEvent e)
    {
        lock (_gate)
        {
            if (StateOf(e) is { } p)
            {
                p.Endpoint ??= e.ReceiveEndpoint;
                MarkNotReady(p);
            }
        }
        return Task.CompletedTask;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var stopped = NotConsuming();
        var data = stopped.ToDictionary(s => s.Queue, s => (object)s.Reason.Name());
        // Unhealthy: what an orchestrator or an operator should act on. A partition briefly without a consumer (a broker
        // restart this worker is recovering from) is not that; a partition unconsumed past the alarm is.
        var alarming = stopped.Where(s => s.Reason == ConsumptionReason.BrokerConnectionLost && now - s.Since >= options.Value.UnconsumedAlarm).ToList();
        if (alarming.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"Not consuming {string.Join(", ", alarming.Select(s => $"{s.Queue} ({s.Reason.Name()} since {s.Since:O})"))}", data: data));
        }
        return Task.FromResult(stopped.Count > 0
            ? HealthCheckResult.Degraded($"Not consuming {stopped.Count} partition(s) for now: {string.Join(", ", stopped.Select(s => s.Reason.Name()).Distinct())}", data: data)
            : HealthCheckResult.Healthy($"Consuming all {_partitions.Count} partitions", data));
    }
}
