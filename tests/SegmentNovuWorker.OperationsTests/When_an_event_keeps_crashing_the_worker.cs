using System.Text.Json.Nodes;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>
/// A poison message (one that kills the worker's process before it can settle it) stops coming back once the partition
/// queue has handed it out past its delivery limit: RabbitMQ moves it to the partition's <c>_error</c> queue, where the
/// operator sees why. A consumer that takes the message and drops its connection stands in for the crashing process:
/// for the broker the two are the same.
/// </summary>
public sealed class When_an_event_keeps_crashing_the_worker
{
    [Fact]
    public async Task Should_end_in_error_with_the_delivery_limit_as_its_reason()
    {
        // The worker runs once, to declare the partition and _error queues as it does, then is gone: nothing else consumes.
        await using var stack = await SegmentNovuStack.StartAsync();
        await stack.StopWorkerAsync();
        await DeadLetterStack.PostAsync(stack, [DeadLetterStack.Track("poison-1", "User Registered", "user-poison")]);
        var partition = CallQueues.PartitionQueueOf("user-poison");

        for (var crash = 0; crash <= QueueArguments.DeliveryLimit; crash++)
            await TakeAndCrashAsync(stack.RabbitMq, partition);

        await DeadLetterStack.WaitForDeadLettersAsync(stack, partition, 1);
        var run = await Cli.RunAsync(stack, "dlq", "list", "--json");
        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var item = run.Json["items"]!.AsArray().Select(i => i!).Single();
        Assert.Equal("poison-1", (string)item["messageId"]!);
        Assert.Equal(FailureReasons.DeliveryLimit, (string)item["reason"]!);
        Assert.Equal(partition, (string)item["originalQueue"]!);
        Assert.Equal(0u, await RabbitMqBroker.MessageCountAsync(stack.RabbitMq, partition));
    }

    /// <summary>Receives one delivery of <paramref name="queue"/> and closes the connection without settling it.</summary>
    static async Task TakeAndCrashAsync(Uri amqp, string queue)
    {
        var connection = await new ConnectionFactory { Uri = amqp }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, _) =>
        {
            delivered.TrySetResult();
            return Task.CompletedTask;
        };
        await channel.BasicQosAsync(0, 1, false);
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        // Generous: a quorum queue on a loaded two-core machine may take a while to hand the message out again.
        await delivered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await connection.AbortAsync();
        connection.Dispose();
    }
}
