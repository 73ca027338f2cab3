using System.Text;
using RabbitMQ.Client;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Failures;

public sealed class When_an_event_cannot_be_mapped
{
    const string UnmappedTrack = """{"type":"track","messageId":"m-unmapped-1","userId":"u-1","event":"Button Clicked","properties":{}}""";

    [Fact]
    public async Task Should_skip_an_unmapped_track_by_default()
    {
        await using var stack = await FailureStack.StartAsync();

        await stack.PostAsync(UnmappedTrack);
        await stack.PostAsync(Samples.Read("track")); // a mapped one after it, to know the first was handled

        // The stand-in records a request once it has answered it, after the notification.
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 1 && stack.Novu.Requests.Count > 0, "the mapped track was delivered");
        Assert.Single(stack.Novu.Requests);
        Assert.Equal(0u, await stack.CountAsync(SegmentQueues.ErrorQueueOf(CallQueues.Track)));
    }

    [Fact]
    public async Task Should_dead_letter_an_unmapped_track_when_configured()
    {
        await using var stack = await FailureStack.StartAsync(("Novu:UnmappedEvents", "DeadLetter"));

        await stack.PostAsync(UnmappedTrack);

        var deadLetter = await stack.SingleDeadLetterAsync(CallQueues.Track);
        Assert.Equal("unmapped-event", deadLetter.Header(DeadLetterHeaders.Reason));
        Assert.Contains("Button Clicked", deadLetter.Header("MT-Fault-Message"));
        Assert.Empty(stack.Novu.Requests);
    }

    [Fact]
    public async Task Should_dead_letter_an_event_without_user_id_by_default()
    {
        await using var stack = await FailureStack.StartAsync();

        await stack.PostAsync(Samples.Read("track-anonymous"));

        var deadLetter = await stack.SingleDeadLetterAsync(CallQueues.Track);
        Assert.Equal("missing-user-id", deadLetter.Header(DeadLetterHeaders.Reason));
        Assert.Equal("1", deadLetter.Header(DeadLetterHeaders.Attempts));
        Assert.Empty(stack.Novu.Requests);
    }

    [Fact]
    public async Task Should_trigger_for_the_anonymous_id_when_configured()
    {
        await using var stack = await FailureStack.StartAsync(("Novu:MissingUserId", "UseAnonymousId"));

        await stack.PostAsync(Samples.Read("track-anonymous"));

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 1, "the trigger went through");
        Assert.Equal("507f191e810c19729de860ea", stack.Novu.Notifications[0].To);
    }

    [Fact]
    public async Task Should_skip_an_event_without_user_id_when_configured()
    {
        await using var stack = await FailureStack.StartAsync(("Novu:MissingUserId", "Skip"));

        await stack.PostAsync(Samples.Read("track-anonymous"));
        await stack.PostAsync(Samples.Read("track"));

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 1, "the track with a userId was delivered");
        Assert.Equal("97980cfea0067", Assert.Single(stack.Novu.Notifications).To);
        Assert.Equal(0u, await stack.CountAsync(SegmentQueues.ErrorQueueOf(CallQueues.Track)));
    }

    [Fact]
    public async Task Should_dead_letter_a_message_the_worker_cannot_deserialize()
    {
        await using var stack = await FailureStack.StartAsync();
        var factory = new ConnectionFactory { Uri = stack.RabbitMq };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            var properties = new BasicProperties
            {
                ContentType = "application/vnd.masstransit+json",
                MessageId = Guid.NewGuid().ToString(),
                Persistent = true,
                Headers = new Dictionary<string, object?> { [DeadLetterHeaders.SegmentCall] = "track", [DeadLetterHeaders.UserKey] = "u-1" },
            };
            await channel.BasicPublishAsync("", CallQueues.PartitionQueueOf("u-1"), mandatory: true, properties, Encoding.UTF8.GetBytes("{not json"));
        }

        var deadLetter = await stack.SingleDeadLetterAsync(CallQueues.Track);
        Assert.Equal("invalid-message", deadLetter.Header(DeadLetterHeaders.Reason));
        Assert.Equal("{not json", deadLetter.Body);
        Assert.Empty(stack.Novu.Requests);
    }
}
