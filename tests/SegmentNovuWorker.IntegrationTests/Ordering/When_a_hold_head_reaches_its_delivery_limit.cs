using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using SegmentNovuWorker.IntegrationTests.Failures;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Ordering;

/// <summary>
/// A hold head on its last hand-out by its partition queue (returned <see cref="QueueArguments.DeliveryLimit"/> times, as
/// crashes of the worker's process would return it) is not tried once more: the worker dead-letters it as
/// <c>delivery-limit</c> and hands the user's lead on. Left to RabbitMQ, its next return would dead-letter it unseen
/// and leave its hold, and its user's later events, with nobody to release them.
/// </summary>
public sealed class When_a_hold_head_reaches_its_delivery_limit
{
    [Fact]
    public async Task Should_dead_letter_it_untried_and_release_the_users_later_events()
    {
        await using var stack = await HeldStackAsync();
        var partition = await HeadBackInItsPartitionAsync(stack);
        Assert.Equal(QueueArguments.DeliveryLimit, await ReturnAsync(stack.RabbitMq, partition, untilCount: QueueArguments.DeliveryLimit));
        var upserts = stack.Novu.Requests.Count(r => r.Path == "/v2/subscribers");

        await stack.StartWorkerAsync();

        var deadLetter = await stack.SingleDeadLetterAsync(partition);
        Assert.Equal("delivery-limit", deadLetter.Header(DeadLetterHeaders.Reason));
        await UserFlow.WaitForWelcomesAsync(stack, 1);
        Assert.Equal(upserts, stack.Novu.Requests.Count(r => r.Path == "/v2/subscribers")); // not tried once more
        await WaitForTheHoldToGoAsync(stack);
    }

    /// <summary>
    /// When RabbitMQ dead-letters the head itself (one more return: a worker that died even on the last hand-out), the
    /// hold's head is in flight nowhere: the worker's hold sweep finds it and lets the next held event lead.
    /// </summary>
    [Fact]
    public async Task Should_sweep_the_hold_when_rabbitmq_dead_lettered_its_head()
    {
        await using var stack = await HeldStackAsync(("Worker:HoldSweepInterval", "00:00:02"));
        var partition = await HeadBackInItsPartitionAsync(stack);
        await ReturnAsync(stack.RabbitMq, partition, untilCount: QueueArguments.DeliveryLimit + 1);
        var deadLetter = await stack.SingleDeadLetterAsync(partition);
        Assert.Null(deadLetter.Header(DeadLetterHeaders.Reason)); // RabbitMQ's, not the worker's: no SNW-* headers

        await stack.StartWorkerAsync();

        await UserFlow.WaitForWelcomesAsync(stack, 1);
        await WaitForTheHoldToGoAsync(stack);
        Assert.Equal(1u, await stack.CountAsync(SegmentQueues.ErrorQueueOf(partition)));
    }

    const string User = "worn-out";

    static string Hold => SegmentQueues.HoldQueueOf(SegmentPartitions.UserHash(User));

    /// <summary>
    /// The user's identify in delayed redelivery (5 s: long enough for the worker to be stopped before it comes back), its
    /// track waiting in the user's hold.
    /// </summary>
    static async Task<SegmentNovuStack> HeldStackAsync(params (string Key, string? Value)[] settings)
    {
        var stack = await FailureStack.StartAsync([("Retry:Redelivery:0", "00:00:05"), .. settings]);
        stack.Novu.AddFault(new Fault("/v2/subscribers", 503, Times: 3));
        using var client = stack.CreateIngestClient();
        await UserFlow.PostAsync(client, UserFlow.Identify(User));
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Requests.Count(r => r.Status == 503) == 3, "the identify went to redelivery");
        await UserFlow.PostAsync(client, UserFlow.Registered(User));
        await SegmentNovuStack.WaitUntilAsync(() => stack.CountAsync(Hold).GetAwaiter().GetResult() == 1, "the track waits in the user's hold");
        return stack;
    }

    /// <summary>Stops the worker; the head comes back from its wait queue to a partition that nothing consumes.</summary>
    static async Task<string> HeadBackInItsPartitionAsync(SegmentNovuStack stack)
    {
        await stack.StopWorkerAsync();
        var partition = SegmentQueues.PartitionQueue(SegmentPartitions.PartitionOf(User, new TopologyOptions().Partitions));
        await SegmentNovuStack.WaitUntilAsync(() => stack.CountAsync(partition).GetAwaiter().GetResult() == 1, "the head is back in its partition");
        return partition;
    }

    static Task WaitForTheHoldToGoAsync(SegmentNovuStack stack) =>
        SegmentNovuStack.WaitUntilAsync(() => RabbitMqBroker.QueueStateAsync(stack.RabbitMq, Hold).GetAwaiter().GetResult() is null,
            "the hold is released and deleted");

    /// <summary>
    /// Consumes the queue (its single active consumer while no worker runs) and returns its one message until it has been
    /// returned <paramref name="untilCount"/> times (past <see cref="QueueArguments.DeliveryLimit"/>, RabbitMQ dead-letters
    /// it); the count reached.
    /// </summary>
    static async Task<long> ReturnAsync(Uri amqpUri, string queue, int untilCount)
    {
        var factory = new ConnectionFactory { Uri = amqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.BasicQosAsync(0, 1, false);
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        string? tag = null;
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            var returns = delivery.BasicProperties.Headers?.TryGetValue(QueueArguments.DeliveryCountHeader, out var count) == true ? Convert.ToInt64(count) : 0;
            if (returns + 1 >= untilCount)
            {
                // Stop consuming before the last return, so the broker does not hand it out again.
                await channel.BasicCancelAsync(tag!);
                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true);
                done.TrySetResult(returns + 1);
                return;
            }
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true);
        };
        tag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        var returned = await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await channel.CloseAsync();
        return returned;
    }
}
