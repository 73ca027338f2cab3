namespace SegmentNovuWorker.Testing;

/// <summary>The worker as a separate process, for tests that SIGKILL it or run several.</summary>
public static class WorkerProcess
{
    /// <param name="settings">Configuration (<c>Section:Key</c>), passed in the environment: it holds the Novu key.</param>
    public static BuiltProcess Start(IReadOnlyDictionary<string, string?> settings)
    {
        var environment = settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        return BuiltProcess.Start("SegmentNovuWorker.Worker", "SegmentNovuWorker.Worker.dll", environment);
    }
}
