using System.Text.Json.Nodes;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.UnitTests.Architecture;

/// <summary>
/// The libraries carry only what they use, so a caller of one does not drag in the services' world: the Novu client and
/// the mapping need no broker, no telemetry exporter and no web server, the contracts no MassTransit. Read from each
/// project's restore (obj/project.assets.json): its whole closure, transitive references included.
/// </summary>
public sealed class When_a_library_is_referenced
{
    const string Messaging = "SegmentNovuWorker.Messaging";
    const string AspNetCore = "Microsoft.AspNetCore.App";

    static readonly string[] ServicesWorld = ["MassTransit", "OpenTelemetry", "prometheus-net", Messaging, AspNetCore];

    public static TheoryData<string, string[]> Forbidden => new()
    {
        { "SegmentNovuWorker.Novu", ServicesWorld },
        { "SegmentNovuWorker.Mapping", ServicesWorld },
        { "SegmentNovuWorker.Contracts", ["MassTransit", AspNetCore] },
        // A web app itself: ASP.NET Core is its own, the broker and the exporters are not.
        { "SegmentNovuWorker.NovuStandIn", ["MassTransit", "OpenTelemetry", "prometheus-net", Messaging] },
    };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void Should_not_carry_the_services_world(string project, string[] forbidden)
    {
        var carried = Closure(project);

        var against = carried.Where(c => forbidden.Any(f => c.StartsWith(f, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(against.Count == 0, $"{project} carries {string.Join(", ", against)}");
    }

    /// <summary>Every package, project and shared framework the project's restore resolved, by name.</summary>
    static HashSet<string> Closure(string project)
    {
        var assets = Path.Combine(RabbitMqBroker.RepositoryRoot(), "src", project, "obj", "project.assets.json");
        Assert.True(File.Exists(assets), $"{assets} is missing: restore the solution first");
        var root = JsonNode.Parse(File.ReadAllText(assets))!;
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (library, _) in root["libraries"]!.AsObject())
            names.Add(library.Split('/')[0]);
        foreach (var (_, target) in root["targets"]!.AsObject())
        {
            foreach (var (_, library) in target!.AsObject())
            {
                foreach (var framework in library?["frameworkReferences"]?.AsArray() ?? [])
                    names.Add(framework!.GetValue<string>());
            }
        }
        foreach (var (_, framework) in root["project"]!["frameworks"]!.AsObject())
        {
            foreach (var (name, _) in framework?["frameworkReferences"]?.AsObject() ?? [])
                names.Add(name);
        }
        return names;
    }
}
