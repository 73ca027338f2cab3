using System.Diagnostics;
using System.Net;
using System.Text;
using SegmentNovuWorker.Parsing;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// The webhook takes Segment's Actions batches (1000 by default, up to 4000 events of about 1 KB), well within the
/// ~10 s Segment waits; the tracking API keeps Segment's own 500 KB and 2500-event limits.
/// </summary>
public sealed class When_segment_sends_its_largest_actions_batch : IAsyncLifetime
{
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(startWorker: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Should_accept_4000_events_well_within_segments_timeout()
    {
        using var client = _stack.CreateIngestClient();
        var body = ActionsBatch.Body();
        Assert.True(Encoding.UTF8.GetByteCount(body) > 3_500_000, "a realistic batch is about 1 KB an event");

        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsync("/webhooks/segment", Json(body));
        var elapsed = clock.Elapsed;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((uint)ActionsBatch.LargestBatch, await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, CallQueues.Track) ?? 0);
        Assert.True(elapsed < TimeSpan.FromSeconds(9), $"answered in {elapsed.TotalSeconds:0.0} s; Segment gives up after about 10 s");
    }

    [Fact]
    public async Task Should_keep_the_tracking_apis_500_KB_limit_for_the_same_events()
    {
        using var client = _stack.CreateIngestClient();
        var body = $$"""{"batch":{{ActionsBatch.Body(600)}}}""";
        Assert.True(Encoding.UTF8.GetByteCount(body) > SegmentLimits.MaxRequestBytes);

        using var response = await client.SendAsync(Tracking("/v1/batch", body, "any-key"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
