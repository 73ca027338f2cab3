using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>
/// <c>segment-novu mapping test</c> shows what the worker sends: the same events go through the real ingest API and worker to
/// the Novu stand-in, and through the tool, and the two requests agree field for field, transactionId included. The events
/// are the ones the tool's old copy of the parser read differently: a numeric messageId (the ingest derives an id for it),
/// no messageId in a file with blank lines around the event (derived from the event's bytes, not the file's), a numeric userId.
/// </summary>
public sealed class When_the_tool_and_the_worker_map_the_same_events : IDisposable
{
    static readonly string[] Events =
    [
        """{"type":"track","messageId":"m-plain","userId":"u-1","event":"User Registered","properties":{"plan":"Pro"}}""",
        """{"type":"track","messageId":12345,"userId":"u-2","event":"User Registered","properties":{"plan":"Team"}}""",
        """{"type":"track","userId":"u-3","event":"User Registered","properties":{"plan":"Free"}}""",
        """{"type":"track","messageId":"m-numeric-user","userId":42,"event":"User Registered"}""",
    ];

    readonly string _folder = Directory.CreateTempSubdirectory("segment-novu-parity-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Should_derive_the_same_trigger_request_transaction_id_included()
    {
        await using var stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
        {
            ["Novu:Workflows:User Registered"] = "welcome",
        });
        var config = Path.Combine(_folder, "appsettings.json");
        await File.WriteAllTextAsync(config, """{"Novu": {"Workflows": {"User Registered": "welcome"}}}""");

        var fromTool = new List<JsonNode>();
        foreach (var (e, i) in Events.Select((e, i) => (e, i)))
        {
            var file = Path.Combine(_folder, $"event-{i}.json");
            await File.WriteAllTextAsync(file, $"\n  {e}\n\n");
            var run = await Cli.RunAsync("mapping", "test", "--json", "--config", file.Replace($"event-{i}.json", "appsettings.json"), "--event", file);
            Assert.True(run.ExitCode == 0, run.Error);
            fromTool.Add(run.Json["triggers"]!.AsArray().Single()!);

            using var client = stack.CreateIngestClient();
            using var response = await client.PostAsync("/webhooks/segment", new StringContent(e, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await SegmentNovuStack.WaitUntilAsync(() => Triggers(stack).Count >= Events.Length, $"the worker triggered {Events.Length} workflows",
            TimeSpan.FromSeconds(60)); // generous: the machine is shared

        var fromWorker = Triggers(stack).ToDictionary(t => t["transactionId"]!.ToString());
        Assert.Equal(Events.Length, fromWorker.Count);
        foreach (var tool in fromTool)
        {
            var transactionId = tool["transactionId"]!.ToString();
            Assert.True(fromWorker.TryGetValue(transactionId, out var worker),
                $"the tool shows transactionId '{transactionId}'; the worker sent {string.Join(", ", fromWorker.Keys)}");
            foreach (var field in new[] { "name", "to", "payload" })
                Assert.True(JsonNode.DeepEquals(tool[field], worker[field]),
                    $"{field} of {transactionId}: the tool shows {tool[field]?.ToJsonString()}, the worker sent {worker[field]?.ToJsonString()}");
        }
        Assert.Contains(fromTool, t => t["transactionId"]!.ToString().StartsWith("derived-", StringComparison.Ordinal));
    }

    static List<JsonNode> Triggers(SegmentNovuStack stack) =>
        [.. stack.Novu.Requests.Where(r => r is { Path: "/v1/events/trigger", Status: < 300 }).Select(r => JsonNode.Parse(r.Body)!)];
}
