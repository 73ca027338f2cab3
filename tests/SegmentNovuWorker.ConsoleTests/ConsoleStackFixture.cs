using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.ConsoleTests;

/// <summary>
/// One stack with the three kinds of dead letters (<see cref="DeadLetterStack.StartWithMixAsync"/>) and one more whose event
/// name and properties hold markup, shared by the tests that only read.
/// </summary>
public sealed class ConsoleStackFixture : IAsyncLifetime
{
    public const string ScriptEventId = "xss-1";
    public const string ScriptEventName = "<script>window.__pwned=1</script>";

    public SegmentNovuStack Stack { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stack = await DeadLetterStack.StartWithMixAsync();
        await DeadLetterStack.PostAsync(Stack, [$$$"""
            {"type":"track","messageId":"{{{ScriptEventId}}}","userId":"user-xss","event":"{{{ScriptEventName}}}",
             "properties":{"note":"<img src=x onerror=\"window.__pwned=2\">","html":"</pre><script>window.__pwned=3</script>"}}
            """]);
        await DeadLetterStack.WaitForDeadLettersAsync(Stack, CallQueues.Track, 7);
    }

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}
