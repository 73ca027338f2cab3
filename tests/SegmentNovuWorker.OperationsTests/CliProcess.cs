using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary><c>segment-novu</c> as a separate process (the built segment-novu.dll), for tests that kill it.</summary>
public static class CliProcess
{
    /// <param name="environment">Environment variables of the tool (the broker's URI, with its password, goes here, never in args).</param>
    public static BuiltProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        BuiltProcess.Start("SegmentNovuWorker.Cli", "segment-novu.dll", environment, args);
}
