using System.Net;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// <c>segment-rejected</c> is bounded (<c>RabbitMq:RejectedQueue</c>), and full it refuses new rejected events (a quorum
/// queue: from the one past its limit); the valid events of the same request are accepted all the same, and the answer
/// says how many rejected were not kept.
/// </summary>
public sealed class When_segment_rejected_is_full : IAsyncLifetime
{
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
    {
        ["RabbitMq:RejectedQueue:MaxLength"] = "2",
    }, startWorker: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Should_keep_what_fits_accept_the_valid_events_and_say_what_was_not_kept()
    {
        using var client = _stack.CreateIngestClient();
        var body = """[{"type":"bogus","messageId":"r-1"},{"type":"track","messageId":"ok-1","userId":"u-1","event":"E"},{"type":"bogus","messageId":"r-2"},{"type":"bogus","messageId":"r-3"}]""";

        using var response = await client.SendAsync(Webhook(body));
        using var next = await client.SendAsync(Webhook("""[{"type":"track","messageId":"ok-2","userId":"u-1","event":"E"},{"type":"bogus","messageId":"r-4"}]"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await BodyAsync(response);
        Assert.Equal((1, 3), ((int)answer["accepted"]!, (int)answer["rejected"]!));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        // segment-rejected is a quorum queue: it takes the message that crosses its limit, then refuses the next ones.
        // Every rejected event is either kept or reported as not kept, none silently dropped.
        var notKept = ((int?)answer["notKept"] ?? 0) + ((int?)(await BodyAsync(next))["notKept"] ?? 0);
        var kept = await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, SegmentQueues.Rejected);
        Assert.InRange(kept!.Value, 2u, 3u);
        Assert.Equal(4, (int)kept.Value + notKept);
        Assert.Equal(2u, await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, CallQueues.Track));
    }
}
