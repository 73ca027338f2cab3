using MassTransit;
using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>The consumer of each Segment call in <see cref="SegmentCalls"/>: the one <c>IConsumer&lt;TEvent&gt;</c> of this assembly for its record.</summary>
public static class SegmentCallConsumers
{
    public static readonly Type[] Types = [.. SegmentCalls.All.Select(ConsumerOf)];

    static Type ConsumerOf(SegmentCall call)
    {
        var consumerInterface = typeof(IConsumer<>).MakeGenericType(call.MessageType);
        var consumers = typeof(SegmentCallConsumers).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && consumerInterface.IsAssignableFrom(t))
            .ToArray();
        return consumers.Length == 1
            ? consumers[0]
            : throw new InvalidOperationException(
                $"The Segment call '{call.Name}' needs exactly one IConsumer<{call.MessageType.Name}> in the worker; found {consumers.Length}.");
    }
}
