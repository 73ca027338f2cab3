using System.Net;
using System.Text;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using Xunit;

namespace SegmentNovuWorker.Testing;

/// <summary>
/// The whole service with dead letters made the way production makes them: the real worker gives up on events
/// because Novu answers 422, because no workflow is mapped, or because there is no userId.
/// </summary>
public static class DeadLetterStack
{
    public const string AdminKey = "test-admin-key-0123456789abcdef0123";

    /// <summary>Three tracks Novu rejects with 422 (novu-rejected).</summary>
    public static readonly string[] Rejected = ["rejected-1", "rejected-2", "rejected-3"];

    /// <summary>Two tracks of an event no workflow is mapped to (unmapped-event).</summary>
    public static readonly string[] Unmapped = ["unmapped-1", "unmapped-2"];

    /// <summary>An identify and a track without userId (missing-user-id).</summary>
    public static readonly string[] NoUser = ["no-user-identify", "no-user-track"];

    public static async Task<SegmentNovuStack> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var broker = await RabbitMqBroker.GetAsync();
        var all = new Dictionary<string, string?>
        {
            ["RabbitMq:ManagementUrl"] = broker.ManagementUri.ToString(),
            ["Novu:UnmappedEvents"] = "DeadLetter",
            ["Novu:MissingUserId"] = "DeadLetter",
            ["Admin:ApiKey"] = AdminKey,
            // Tests of the key send wrong ones on purpose; the throttle has a test of its own.
            ["Admin:MaxFailedAttempts"] = "1000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        return await SegmentNovuStack.StartAsync(all);
    }

    /// <summary>Posts the mix above and waits until the worker has dead-lettered all of it.</summary>
    public static async Task<SegmentNovuStack> StartWithMixAsync(IDictionary<string, string?>? settings = null)
    {
        var stack = await StartAsync(settings);
        // A 422 is fatal, so each rejected track takes exactly one of these and none is left for a replay.
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 422, Times: Rejected.Length, Message: "subscriber is not valid"));
        var events = Rejected.Select(id => Track(id, "User Registered", "user-" + id))
            .Concat(Unmapped.Select(id => Track(id, "Order Completed", "user-" + id)))
            .Append(Identify(NoUser[0], userId: null))
            .Append(Track(NoUser[1], "User Registered", userId: null));
        await PostAsync(stack, events);
        await WaitForDeadLettersAsync(stack, CallQueues.Track, Rejected.Length + Unmapped.Length + 1);
        await WaitForDeadLettersAsync(stack, CallQueues.Identify, 1);
        return stack;
    }

    public static string Track(string messageId, string eventName, string? userId) =>
        $$"""{"type":"track","messageId":"{{messageId}}",{{UserOrAnonymous(userId)}},"event":"{{eventName}}","properties":{"plan":"Pro"},"timestamp":"2026-11-28T10:00:00.000Z"}""";

    public static string Identify(string messageId, string? userId) =>
        $$"""{"type":"identify","messageId":"{{messageId}}",{{UserOrAnonymous(userId)}},"traits":{"email":"a@example.com"},"timestamp":"2026-11-28T10:00:00.000Z"}""";

    static string UserOrAnonymous(string? userId) => userId is null ? "\"anonymousId\":\"anon-1\"" : $"\"userId\":\"{userId}\"";

    public static async Task PostAsync(SegmentNovuStack stack, IEnumerable<string> events)
    {
        using var client = stack.CreateIngestClient();
        using var response = await client.PostAsync("/webhooks/segment",
            new StringContent($"[{string.Join(",", events)}]", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task WaitForDeadLettersAsync(SegmentNovuStack stack, string queue, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await RabbitMqBroker.MessageCountAsync(stack.RabbitMq, SegmentQueues.ErrorQueueOf(queue)) is not { } n || n < count)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for {count} dead letters in {SegmentQueues.ErrorQueueOf(queue)}.");
            await Task.Delay(100);
        }
    }

    public static Task<uint?> ErrorCountAsync(SegmentNovuStack stack, string queue) =>
        RabbitMqBroker.MessageCountAsync(stack.RabbitMq, SegmentQueues.ErrorQueueOf(queue));
}
