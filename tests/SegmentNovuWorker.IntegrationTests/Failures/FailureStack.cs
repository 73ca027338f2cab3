using System.Text;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Failures;

/// <summary>
/// The service with its retry intervals shortened for tests (the production defaults are in the README): two in-process
/// retries 50 and 100 ms apart, then redeliveries after 1 s and 2 s through the wait queues, then <c>_error</c>.
/// </summary>
public static class FailureStack
{
    public static Task<SegmentNovuStack> StartAsync(params (string Key, string? Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Retry:Immediate:0"] = "00:00:00.050",
            ["Retry:Immediate:1"] = "00:00:00.100",
            ["Retry:Redelivery:0"] = "00:00:01",
            ["Retry:Redelivery:1"] = "00:00:02",
            ["Retry:KillSwitch:Enabled"] = "false",
        };
        foreach (var (key, value) in overrides)
            settings[key] = value;
        return SegmentNovuStack.StartAsync(settings);
    }

    public static async Task PostAsync(this SegmentNovuStack stack, string body)
    {
        using var client = stack.CreateIngestClient();
        using var response = await client.PostAsync("/webhooks/segment", new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Waits for the one dead letter of <paramref name="queue"/> and returns it.</summary>
    public static async Task<QueuedMessage> SingleDeadLetterAsync(this SegmentNovuStack stack, string queue)
    {
        var errorQueue = SegmentQueues.ErrorQueueOf(queue);
        await SegmentNovuStack.WaitUntilAsync(
            () => RabbitMqBroker.MessageCountAsync(stack.RabbitMq, errorQueue).GetAwaiter().GetResult() > 0,
            $"a message reached {errorQueue}");
        var deadLetters = await QueuedMessage.PeekAllAsync(stack.RabbitMq, errorQueue);
        return Assert.Single(deadLetters);
    }

    public static async Task<uint> CountAsync(this SegmentNovuStack stack, string queue) =>
        await RabbitMqBroker.MessageCountAsync(stack.RabbitMq, queue) ?? 0;
}
