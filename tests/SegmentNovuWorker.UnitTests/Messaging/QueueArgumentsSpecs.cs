using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.UnitTests.Messaging;

/// <summary>
/// What RabbitMQ needs for the queues to keep their promises: at-least-once dead-lettering only works with
/// <c>x-overflow: reject-publish</c> and a dead-letter exchange (else RabbitMQ silently falls back to at most once), and a
/// delivery limit of -1 means "drop at the first return" on RabbitMQ 3.10.
/// </summary>
public sealed class QueueArgumentsSpecs
{
    static void AssertDeadLettersAtLeastOnceTo(IReadOnlyDictionary<string, object> arguments, string target)
    {
        Assert.Equal("quorum", arguments[QueueArguments.QueueType]);
        Assert.Equal("at-least-once", arguments[QueueArguments.DeadLetterStrategy]);
        Assert.Equal("reject-publish", arguments[QueueArguments.Overflow]);
        Assert.Equal("", arguments[QueueArguments.DeadLetterExchange]); // the default exchange: routed by queue name
        Assert.Equal(target, arguments[QueueArguments.DeadLetterRoutingKey]);
    }

    [Fact]
    public void Should_dead_letter_a_partitions_message_past_its_delivery_limit_into_the_partitions_error_queue()
    {
        var arguments = QueueArguments.Partition("segment-events-07");

        AssertDeadLettersAtLeastOnceTo(arguments, "segment-events-07_error");
        Assert.Equal(true, arguments[QueueArguments.SingleActiveConsumer]);
        Assert.InRange((int)arguments[QueueArguments.DeliveryLimitArgument], 1, 100);
    }

    [Fact]
    public void Should_send_a_wait_queues_expired_messages_back_to_their_partition()
    {
        var arguments = QueueArguments.Wait("segment-events-07", TimeSpan.FromMinutes(4));

        AssertDeadLettersAtLeastOnceTo(arguments, "segment-events-07");
        Assert.Equal(240_000L, arguments[QueueArguments.MessageTtl]);
    }

    [Fact]
    public void Should_let_the_operator_tool_read_error_queues_any_number_of_times()
    {
        foreach (var arguments in new[] { QueueArguments.DeadLetters(new DeadLetterQueueOptions()), QueueArguments.Rejected(new RejectedQueueOptions()) })
        {
            Assert.Equal("quorum", arguments[QueueArguments.QueueType]);
            Assert.False(arguments.ContainsKey(QueueArguments.SingleActiveConsumer)); // it would refuse basic.get
            Assert.False(arguments.ContainsKey(QueueArguments.DeadLetterExchange));
            Assert.Equal(int.MaxValue, arguments[QueueArguments.DeliveryLimitArgument]);
        }
    }

    [Fact]
    public void Should_keep_hold_queues_classic_even_where_quorum_is_the_default()
    {
        Assert.Equal("classic", QueueArguments.Hold[QueueArguments.QueueType]);
    }
}
