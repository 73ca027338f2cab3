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
        // The head waits 5 s in its wait queue: long enough for the worker to be stopped before it comes back.
        await using var stack = await FailureStack.StartAsync(("Retry:Redelivery:0", "00:00:05"));
        stack.Novu.AddFault(new Fault("/v2/subscribers", 503, Times: 3));
        using var client = stack.CreateIngestClient();
        const string user = "worn-out";
        await UserFlow.PostAsync(client, UserFlow.Identify(user));
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Requests.Count(r => r.Status == 503) == 3, "the identify went to redelivery");
        await UserFlow.PostAsync(client, UserFlow.Registered(user));
        var hold = SegmentQueues.HoldQueueOf(SegmentPartitions.UserHash(user));
        await SegmentNovuStack.WaitUntilAsync(() => stack.CountAsync(hold).GetAwaiter().GetResult() == 1, "the track waits in the user's hold");

        // The head comes back from its wait queue to a partition with no worker: returned there 20 times.
        await stack.StopWorkerAsync();
        var partition = SegmentQueues.PartitionQueue(SegmentPartitions.PartitionOf(user, new TopologyOptions().Partitions));
        await SegmentNovuStack.WaitUntilAsync(() => stack.CountAsync(partition).GetAwaiter().GetResult() == 1, "the head is back in its partition");
        Assert.Equal(QueueArguments.DeliveryLimit, await ReturnUntilLastHandOutAsync(stack.RabbitMq, partition));
        var upserts = stack.Novu.Requests.Count(r => r.Path == "/v2/subscribers");

        await stack.StartWorkerAsync();

        var deadLetter = await stack.SingleDeadLetterAsync(partition);
        Assert.Equal("delivery-limit", deadLetter.Header(DeadLetterHeaders.Reason));
        await UserFlow.WaitForWelcomesAsync(stack, 1);
        Assert.Equal(upserts, stack.Novu.Requests.Count(r => r.Path == "/v2/subscribers")); // not tried once more
        await SegmentNovuStack.WaitUntilAsync(() => RabbitMqBroker.QueueStateAsync(stack.RabbitMq, hold).GetAwaiter().GetResult() is null,
            "the hold is released and deleted");
    }

    /// <summary>
    /// Consumes the queue (its single active consumer while no worker runs) and returns its one message until the next
    /// hand-out is the last RabbitMQ allows; the count that message carries now.
    /// </summary>
    static async Task<long> ReturnUntilLastHandOutAsync(Uri amqpUri, string queue)
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
            if (returns + 1 >= QueueArguments.DeliveryLimit)
            {
                // Stop consuming before the last return, so the broker keeps it ready rather than handing it out again.
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
