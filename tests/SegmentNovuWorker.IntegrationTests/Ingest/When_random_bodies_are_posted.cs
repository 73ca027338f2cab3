using System.Net;
using System.Text.Json.Nodes;
using CsCheck;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// Property-based, through the real API and broker: random and malformed bodies never get a 5xx, and nothing invalid
/// reaches an event queue; every event the answers counted as accepted or rejected is in its queue.
/// </summary>
public sealed class When_random_bodies_are_posted : IAsyncLifetime
{
    static readonly string[] Paths = ["/webhooks/segment", "/v1/batch", "/v1/track", "/v1/identify"];

    /// <summary>Each event queue and the field (besides the ids) a message in it must carry.</summary>
    static readonly (string Queue, string? Required)[] EventQueues =
    [
        (CallQueues.Identify, null), (CallQueues.Track, "event"), (CallQueues.Page, null), (CallQueues.Screen, null),
        (CallQueues.Group, "groupId"), (CallQueues.Alias, "previousId"), (CallQueues.Delete, null),
    ];

    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
    {
        ["Ingest:RateLimit:PermitLimit"] = "100000",
    }, startWorker: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Should_never_answer_5xx_nor_publish_an_invalid_event()
    {
        using var client = _stack.CreateIngestClient();
        int accepted = 0, rejected = 0, requests = 0;

        // One known mixed batch first, so the accounting below is exercised whatever the random bodies turn out to be.
        using (var mixed = await client.SendAsync(Tracking("/v1/batch",
            """{"batch":[{"type":"track","userId":"u-1","event":"E"},{"type":"track","userId":"u-1"}]}""", "any-key")))
        {
            var answer = await BodyAsync(mixed);
            accepted += (int)answer["accepted"]!;
            rejected += (int)answer["rejected"]!;
        }

        await Gen.Select(SegmentBodies.Body, Gen.Int[0, Paths.Length - 1]).SampleAsync(async (body, path) =>
        {
            using var response = await client.SendAsync(Tracking(Paths[path], body, "any-key"));
            Interlocked.Increment(ref requests);
            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {Paths[path]} {body}");
            Assert.Contains(response.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge });
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var answer = await BodyAsync(response);
                Interlocked.Add(ref accepted, (int)answer["accepted"]!);
                Interlocked.Add(ref rejected, (int)answer["rejected"]!);
            }
        }, iter: 150, threads: 1);

        var published = 0;
        foreach (var (queue, required) in EventQueues)
        {
            foreach (var message in Messages(await RabbitMqBroker.PeekMessagesAsync(_stack.RabbitMq, queue)))
            {
                published++;
                Assert.False(string.IsNullOrEmpty(Text(message, "messageId")), $"{queue}: {message}");
                Assert.True(Text(message, "userId") is { Length: > 0 } || Text(message, "anonymousId") is { Length: > 0 }, $"{queue}: {message}");
                if (required is not null)
                    Assert.False(string.IsNullOrEmpty(Text(message, required)), $"{queue}: {message}");
            }
        }
        Assert.Equal(accepted, published);
        Assert.Equal((uint)rejected, await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, SegmentQueues.Rejected) ?? 0);
        Assert.True(accepted > 0 && rejected > 0, $"both kinds were counted; {requests} random requests, {accepted} accepted, {rejected} rejected in all");
    }

    static string? Text(JsonObject message, string name) => message[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
