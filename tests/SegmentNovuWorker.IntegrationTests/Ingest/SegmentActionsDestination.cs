using System.Text.Json;
using System.Text.Json.Nodes;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// Segment's own Webhooks (Actions) destination (<c>@segment/action-destinations</c>' webhook, action <c>send</c>, run by
/// <c>@segment/actions-core</c>'s <c>Destination.onEvent</c> / <c>onBatch</c>) posting to the ingest: <c>tests/segment-actions/send.mjs</c>.
/// </summary>
public static class SegmentActionsDestination
{
    /// <summary>What the destination is told to send, as a Segment user configures it.</summary>
    /// <param name="Run">Prefix of the events' messageIds and user ids (<c>{run}-user-{i % 50}</c>).</param>
    /// <param name="Batch">Batch mode (one request, signed over its first element) rather than single mode.</param>
    /// <param name="Events">How many track events.</param>
    /// <param name="Identify">An identify of <c>{run}-user-0</c> first.</param>
    /// <param name="AgeMinutes">How long ago Segment received the events (their receivedAt, sentAt, timestamp).</param>
    /// <param name="SharedSecret">The destination's Shared Secret setting: it signs <c>X-Signature</c>.</param>
    /// <param name="Token">Sent as <c>Authorization: Bearer …</c> through the Send action's Headers mapping.</param>
    /// <param name="ReplayAppend">Then post the captured request again, one event (<c>{run}-appended</c>, of <c>{run}-user-0</c>) appended.</param>
    public sealed record Scenario(string Run, bool Batch = false, int Events = 1, bool Identify = false, int AgeMinutes = 0,
        string? SharedSecret = null, string? Token = null, bool ReplayAppend = false);

    /// <summary>One request as it went over the wire, the ingest's answer, and how long it took to come (<paramref name="Ms"/>).</summary>
    public sealed record Request(string Method, int Status, string Answer, bool Replay, int Events, bool Signed, string? UserAgent, int? Ms)
    {
        public JsonObject AnswerJson => JsonNode.Parse(Answer)!.AsObject();
    }

    public sealed record Result(IReadOnlyList<Request> Requests, IReadOnlyList<string> Errors);

    public static async Task<Result> SendAsync(Uri ingest, Scenario scenario)
    {
        var json = new JsonObject
        {
            ["ingestUrl"] = ingest.ToString().TrimEnd('/'),
            ["run"] = scenario.Run,
            ["mode"] = scenario.Batch ? "batch" : "single",
            ["events"] = scenario.Events,
            ["identify"] = scenario.Identify,
            ["ageMinutes"] = scenario.AgeMinutes,
            ["replayAppend"] = scenario.ReplayAppend,
        };
        if (scenario.SharedSecret is not null)
            json["sharedSecret"] = scenario.SharedSecret;
        if (scenario.Token is not null)
            json["headers"] = new JsonObject { ["Authorization"] = $"Bearer {scenario.Token}" };

        var (exitCode, output, errors) = await NodeScripts.RunAsync("segment-actions", "@segment/action-destinations", "send.mjs",
            new Dictionary<string, string> { ["SCENARIO"] = json.ToJsonString() });
        Assert.True(exitCode == 0, $"Segment's Actions destination script failed (exit {exitCode}):\n{output}\n{errors}");
        return JsonSerializer.Deserialize<Result>(output.Trim().Split('\n')[^1], JsonSerializerOptions.Web)
            ?? throw new InvalidOperationException($"No result from the Actions script:\n{output}");
    }
}
