namespace SegmentNovuWorker.IntegrationTests;

/// <summary>Segment's sample events (shared/contracts/samples), as raw request bodies.</summary>
public static class Samples
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", name + ".json"));
}
