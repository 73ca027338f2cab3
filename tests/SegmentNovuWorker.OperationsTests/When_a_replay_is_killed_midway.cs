using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>The tool dies (SIGKILL) halfway through a slow replay: no dead letter is lost, and none is notified twice.</summary>
public sealed class When_a_replay_is_killed_midway : IAsyncLifetime
{
    // At 2 a second the replay of 20 takes 10 s: long enough to be surely killed midway, even on a busy machine.
    const int Count = 20;
    static readonly string[] Ids = [.. Enumerable.Range(1, Count).Select(i => $"killed-{i:00}")];
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync()
    {
        _stack = await DeadLetterStack.StartAsync();
        _stack.Novu.AddFault(new Fault("/v1/events/trigger", 422, Times: Count));
        await DeadLetterStack.PostAsync(_stack, Ids.Select(id => DeadLetterStack.Track(id, "User Registered", "user-" + id)));
        await DeadLetterStack.WaitForDeadLettersAsync(_stack, CallQueues.Track, Count);
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Should_lose_and_double_nothing()
    {
        using (var replay = CliProcess.Start(new Dictionary<string, string?> { ["ConnectionStrings__RabbitMq"] = _stack.RabbitMq.ToString() },
            "dlq", "replay", "--all", "--rate", "2"))
        {
            await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Notifications.Count >= 2, "the first replayed events reached Novu");
            Assert.False(replay.HasExited, "the replay is still running when it is killed");
            await replay.KillAsync();
        }

        // Every dead letter is either still in _error or was replayed (and so reaches Novu): none vanished.
        HashSet<string> stillDead = [];
        await SegmentNovuStack.WaitUntilAsync(() =>
        {
            stillDead = [.. ListDeadLetters().GetAwaiter().GetResult()];
            var notified = _stack.Novu.Notifications.Select(n => n.TransactionId);
            return Ids.All(id => stillDead.Contains(id) || notified.Contains(id));
        }, "every dead letter is in _error or was delivered");
        Assert.NotEmpty(stillDead); // the kill really came midway
        Assert.True(stillDead.Count < Count, "some dead letters were replayed before the kill");

        var again = await Cli.RunAsync(_stack, "dlq", "replay", "--all");

        Assert.Equal(ExitCodes.Ok, again.ExitCode);
        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Notifications.Count >= Count, "every event reached Novu");
        Assert.Equal(Ids, _stack.Novu.Notifications.Select(n => n.TransactionId).Order());
        Assert.Equal(0u, await DeadLetterStack.ErrorCountAsync(_stack, CallQueues.Track));
        Assert.Equal(0u, await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, CallQueues.Track));
    }

    async Task<IEnumerable<string>> ListDeadLetters()
    {
        var run = await Cli.RunAsync(_stack, "dlq", "list", "--json", "--page-size", "1000");
        return run.Json["items"]!.AsArray().Select(i => (string)i!["messageId"]!);
    }
}
