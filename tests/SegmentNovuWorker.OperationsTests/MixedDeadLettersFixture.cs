using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>One stack with the mixed dead letters, shared by tests that only read them.</summary>
public sealed class MixedDeadLettersFixture : IAsyncLifetime
{
    public SegmentNovuStack Stack { get; private set; } = null!;

    public async Task InitializeAsync() => Stack = await DeadLetterStack.StartWithMixAsync();

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}
