using System.Text.RegularExpressions;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.UnitTests.Architecture;

/// <summary>
/// The worker's core folders import one way, as docs/design.md says: Pipeline → Failures → Ordering → Consumption, all of
/// them → MassTransitSeam, which knows nothing of the others. A change that imports against the arrows fails here.
/// </summary>
public sealed partial class When_the_worker_core_is_changed
{
    /// <summary>What each core folder may reference of the worker's other folders (its own namespace aside).</summary>
    static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Pipeline"] = ["Consumers", "Consumption", "DeliveryLog", "Failures", "MassTransitSeam", "Ordering", "Subscribers"],
        // DeliveryLog is a leaf that records what the others decide; it imports none of them back (below).
        ["Failures"] = ["DeliveryLog", "Ordering", "Consumption", "MassTransitSeam"],
        ["Ordering"] = ["Consumption", "DeliveryLog", "MassTransitSeam"],
        ["Consumption"] = ["MassTransitSeam"],
        ["MassTransitSeam"] = [],
        ["DeliveryLog"] = ["Mapping"],
    };

    [GeneratedRegex(@"\bSegmentNovuWorker\.Worker\.(?<folder>[A-Za-z]+)\b")]
    private static partial Regex WorkerNamespace();

    [Fact]
    public void Should_import_only_along_the_arrows_of_the_design()
    {
        var worker = Path.Combine(RabbitMqBroker.RepositoryRoot(), "src", "SegmentNovuWorker.Worker");
        var against = new List<string>();
        foreach (var (folder, allowed) in Allowed)
        {
            var files = Directory.GetFiles(Path.Combine(worker, folder), "*.cs", SearchOption.AllDirectories);
            Assert.NotEmpty(files);
            foreach (var file in files)
            {
                var referenced = WorkerNamespace().Matches(File.ReadAllText(file)).Select(m => m.Groups["folder"].Value)
                    .Where(f => f != folder && Directory.Exists(Path.Combine(worker, f)) && !allowed.Contains(f)).Distinct();
                against.AddRange(referenced.Select(f => $"{folder}/{Path.GetFileName(file)} → {f}"));
            }
        }
        Assert.True(against.Count == 0, "imports against the arrows of docs/design.md: " + string.Join("; ", against));
    }
}
