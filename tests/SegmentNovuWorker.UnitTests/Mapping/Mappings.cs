using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Mapping;
using SegmentNovuWorker.Novu;

namespace SegmentNovuWorker.UnitTests.Mapping;

/// <summary>Mappings written as an operator writes them (appsettings.json's <c>Novu</c> section), and events as Segment sends them.</summary>
static class Mappings
{
    /// <param name="novuSection">The JSON of the <c>Novu</c> section.</param>
    public static MappingLoad Load(string novuSection, params (string Key, string? Value)[] more)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"Novu": {{novuSection}} }""")))
            .AddInMemoryCollection(more.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)))
            .Build();
        return MappingLoader.Load(configuration.GetSection("Novu"));
    }

    public static WorkflowMap Compile(string novuSection, params (string Key, string? Value)[] more)
    {
        var load = Load(novuSection, more);
        Assert.True(load.Succeeded, string.Join("\n", load.Errors));
        return load.Map!;
    }

    public static string Errors(string novuSection, params (string Key, string? Value)[] more)
    {
        var load = Load(novuSection, more);
        Assert.False(load.Succeeded, "the mapping compiled");
        return string.Join("\n", load.Errors);
    }

    public static MappingEvent Track(string eventName, string properties = "{}", string? context = null, string? userId = "u-1",
        string messageId = "ajs-1", string? anonymousId = null) =>
        MappingEvent.From(new TrackEvent(messageId, userId, anonymousId, new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero),
            context is null ? null : Json(context), eventName, Json(properties)));

    public static MappingEvent Page(string? name, string properties = "{}") =>
        MappingEvent.From(new PageEvent("ajs-p", "u-1", null, null, null, name, Json(properties)));

    public static MappingEvent Screen(string? name) =>
        MappingEvent.From(new ScreenEvent("ajs-s", "u-1", null, null, null, name, null));

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>The trigger as Novu receives it on the wire.</summary>
    public static string Wire(TriggerRequest trigger) => JsonSerializer.Serialize(trigger, NovuClient.Json);

    /// <summary>Equal JSON, whatever the order of object keys (configuration sorts them).</summary>
    public static void SameJson(string expected, System.Text.Json.Nodes.JsonNode? actual) =>
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(expected), actual),
            $"expected {expected}, got {actual?.ToJsonString()}");

    public static TriggerRequest Single(MappingResult result)
    {
        Assert.Equal(MappingVerdict.Trigger, result.Verdict);
        return Assert.Single(result.Triggers);
    }
}
