using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using Xunit.Abstractions;

namespace SegmentNovuWorker.IntegrationTests.Failures;

/// <summary>
/// Each partition's <c>_error</c> queue is bounded (<c>RabbitMq:DeadLetterQueues:MaxLength</c>) and refuses new dead
/// letters when full, never dropping one: what does not fit waits in its partition queue and reaches <c>_error</c> once
/// an operator has made room. An anonymous event sent with the public client key (<c>Novu:MissingUserId=DeadLetter</c>,
/// the default) can therefore no longer fill the broker's disk.
/// </summary>
public sealed class When_an_error_queue_reaches_its_bound(ITestOutputHelper output)
{
    const int Bound = 3;
    const int Sent = 7;
    const string AnonymousId = "anonymous-flooder";

    static string AnonymousTrack(int i) =>
        $$"""{"type":"track","messageId":"anon-{{i}}","anonymousId":"{{AnonymousId}}","event":"User Registered"}""";

    [Fact]
    public async Task Should_refuse_past_the_bound_and_lose_nothing()
    {
        await using var stack = await FailureStack.StartAsync(("RabbitMq:DeadLetterQueues:MaxLength", Bound.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var partitionQueue = CallQueues.PartitionQueueOf(AnonymousId);
        var errorQueue = SegmentQueues.ErrorQueueOf(partitionQueue);

        for (var i = 1; i <= Sent; i++)
            await stack.PostAsync(AnonymousTrack(i));

        // The bound holds: a quorum queue takes the message that crosses its limit, then refuses the next ones.
        await SegmentNovuStack.WaitUntilAsync(() => stack.CountAsync(errorQueue).GetAwaiter().GetResult() >= Bound, $"{errorQueue} filled up");
        var peak = 0u;
        for (var i = 0; i < 20; i++)
        {
            peak = Math.Max(peak, await stack.CountAsync(errorQueue));
            await Task.Delay(250);
        }
        output.WriteLine($"{errorQueue} held at most {peak} of {Sent}");
        Assert.InRange(peak, (uint)Bound, (uint)Bound + 1);

        // What did not fit waits in its partition queue, held by the broker to be dead-lettered at least once as soon as the
        // _error queue has room (RabbitMQ retries every dead_letter_worker_publisher_confirm_timeout, 2 min by default):
        // every event is in one of the two.
        await SegmentNovuStack.WaitUntilAsync(() => WaitingToBeDeadLettered(stack, partitionQueue).GetAwaiter().GetResult() == Sent - peak,
            $"the events {errorQueue} refused wait in {partitionQueue}");
        Assert.Equal((uint)Sent, await stack.CountAsync(errorQueue) + await WaitingToBeDeadLettered(stack, partitionQueue));

        // What SegmentNovuDeadLettersNearBound divides: the queue's depth by its bound, both on the worker's scrape.
        using var http = new HttpClient { BaseAddress = stack.WorkerUrl, Timeout = TimeSpan.FromSeconds(30) };
        await SegmentNovuStack.WaitUntilAsync(() =>
        {
            var scrape = http.GetStringAsync(Messaging.Telemetry.SegmentNovuTelemetry.MetricsPath).GetAwaiter().GetResult().Split('\n');
            return Gauge(scrape, "segmentnovuworker_segment_novu_queue_max_length", errorQueue) == Bound
                && Gauge(scrape, "segmentnovuworker_segment_novu_queue_messages", errorQueue) >= DeadLetterQueueOptions.AlertFraction * Bound;
        }, $"the worker's scrape shows {errorQueue} over {DeadLetterQueueOptions.AlertFraction:P0} of its bound", TimeSpan.FromSeconds(60));
    }

    static double? Gauge(IEnumerable<string> scrape, string name, string queue) => scrape
        .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) && line.Contains($"queue=\"{queue}\"", StringComparison.Ordinal))
        .Select(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
        .Cast<double?>()
        .FirstOrDefault();

    /// <summary>The messages a quorum queue holds for at-least-once dead-lettering (RabbitMQ's <c>messages_dlx</c>).</summary>
    static async Task<uint> WaitingToBeDeadLettered(SegmentNovuStack stack, string queue)
    {
        using var http = new HttpClient { BaseAddress = stack.Broker.ManagementUri };
        http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{stack.Broker.User}:{stack.Broker.Password}")));
        var vhost = Uri.EscapeDataString(stack.RabbitMq.AbsolutePath.TrimStart('/'));
        var state = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync($"api/queues/{vhost}/{queue}"))!;
        return (uint?)state["messages_dlx"] ?? 0;
    }
}
