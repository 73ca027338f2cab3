using System.Net;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// Whatever makes MassTransit's serializer refuse one event (the parser catches every case known today, so the spec
/// gives one event a header the serializer cannot write), that event is refused alone with its reason: set aside in
/// <c>segment-rejected</c> in a batch, 400 for a single event, and the same user's later events are published as if it
/// had not been sent. Never a 503 for the request, which Segment would retry forever.
/// </summary>
public sealed class When_the_serializer_refuses_an_event : IAsyncLifetime
{
    const string Poison = "poison";
    const string ClientKey = "public-client-write-key";
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
    {
        ["Segment:ClientWriteKeys:0"] = ClientKey,
    }, startWorker: false,
        configureIngest: b => b.Services.AddPublishObserver<UnwritableHeaderOnPoison>());

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    static string Track(string messageId) =>
        $$"""{"type":"track","messageId":"{{messageId}}","userId":"u-1","event":"User Registered"}""";

    [Theory]
    [InlineData("/webhooks/segment")]
    [InlineData("/v1/batch")]
    public async Task Should_set_aside_the_event_alone_and_publish_the_users_later_events(string path)
    {
        using var client = _stack.CreateIngestClient();
        var events = $"{Track("before")},{Track(Poison)},{Track("after")}";
        var body = path == "/v1/batch" ? $$"""{"batch":[{{events}}]}""" : $"[{events}]";

        using var response = await client.SendAsync(path == "/v1/batch" ? Tracking(path, body, ClientKey) : Webhook(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonAssert.Equivalent("""{"success":true,"accepted":2,"rejected":1,"optedOut":0}""", await response.Content.ReadAsStringAsync());
        var queued = Messages(await RabbitMqBroker.PeekMessagesAsync(_stack.RabbitMq, CallQueues.Track));
        Assert.Equal(["before", "after"], queued.Select(m => (string)m["messageId"]!));
        var rejected = Assert.Single(await QueuedMessage.PeekAllAsync(_stack.RabbitMq, SegmentQueues.Rejected));
        Assert.Contains(Poison, rejected.Body, StringComparison.Ordinal);
        Assert.Contains(UnwritableHeader.Refusal, rejected.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_answer_400_with_the_reason_to_a_single_event()
    {
        using var client = _stack.CreateIngestClient();

        using var response = await client.SendAsync(Webhook(Track(Poison)));
        using var next = await client.SendAsync(Webhook(Track("next")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(UnwritableHeader.Refusal, (string)(await BodyAsync(response))["detail"]!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(1u, await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, CallQueues.Track));
    }

    /// <summary>A value System.Text.Json cannot write: reading its one property throws.</summary>
    public sealed class UnwritableHeader
    {
        public const string Refusal = "this value cannot be written";

        public string Value => throw new InvalidOperationException(Refusal);
    }

    /// <summary>Puts an <see cref="UnwritableHeader"/> on the track whose messageId is <see cref="Poison"/> (not on its <see cref="RejectedEvent"/>).</summary>
    sealed class UnwritableHeaderOnPoison : IPublishObserver
    {
        public Task PrePublish<T>(PublishContext<T> context)
            where T : class
        {
            if (context.Message is TrackEvent { MessageId: Poison })
                context.Headers.Set("SNW-Test-Unwritable", new UnwritableHeader());
            return Task.CompletedTask;
        }

        public Task PostPublish<T>(PublishContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PublishFault<T>(PublishContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
    }
}
