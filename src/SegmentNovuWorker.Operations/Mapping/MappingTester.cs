using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Mapping;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Parsing;

namespace SegmentNovuWorker.Operations.Mapping;

/// <summary>What the worker would send for one Segment event, which rules matched, and why (or why none did).</summary>
public sealed record MappingTestReport(
    string Type,
    string? Name,
    string MessageId,
    MappingVerdict Verdict,
    string? Reason,
    string Why,
    IReadOnlyList<RuleOutcome> Rules,
    IReadOnlyList<TriggerRequest> Triggers);

/// <summary>
/// <c>segment-novu mapping check|test</c> and <c>POST /admin/mapping/test</c>: the worker's own mapping code
/// (<see cref="MappingLoader"/>, <see cref="WorkflowMap.Map"/>) run on a configuration and an event, sending nothing.
/// </summary>
public static class MappingTester
{
    /// <summary>Compiles the <c>Novu</c> section as the worker does at start.</summary>
    public static MappingLoad Check(IConfiguration configuration) => MappingLoader.Load(configuration.GetSection(WorkflowMappingOptions.Section));

    /// <param name="eventJson">One Segment event as Segment sends it (track, page or screen).</param>
    /// <exception cref="OperatorException">The configuration does not compile, or the text is not a track, page or screen.</exception>
    public static MappingTestReport Test(IConfiguration configuration, string eventJson) => Map(configuration, () => Read(eventJson));

    /// <summary>Compiles the mapping (refusing one that does not), reads the event, and maps it as the worker would.</summary>
    static MappingTestReport Map(IConfiguration configuration, Func<MappingEvent> read)
    {
        var load = Check(configuration);
        if (load.Map is null)
            throw new OperatorException(ExitCodes.Usage, "The mapping does not compile:\n" + string.Join("\n", load.Errors));
        var e = read();
        var result = load.Map.Map(e);
        return new MappingTestReport(e.Type, e.Name, e.MessageId, result.Verdict, result.Reason, result.Why, result.Rules, result.Triggers);
    }

    /// <summary>
    /// What today's mapping would send for a dead letter's message (the record the worker was given, as MassTransit carried
    /// it), as the worker would map it if it were replayed now.
    /// </summary>
    /// <param name="type">The dead letter's type (<c>track</c>, <c>page</c>, …).</param>
    /// <exception cref="OperatorException">The mapping does not compile, or the message is not a track, page or screen.</exception>
    public static MappingTestReport TestMessage(IConfiguration configuration, string type, JsonNode? message) =>
        Map(configuration, () => ReadMessage(type, message));

    static MappingEvent ReadMessage(string type, JsonNode? message)
    {
        var call = SegmentCalls.ByName(type);
        if (call != SegmentCalls.Track && call != SegmentCalls.Page && call != SegmentCalls.Screen)
            throw new OperatorException(ExitCodes.Usage, $"Only track, page and screen events are mapped to workflows; this one is a {type}.");
        ISegmentEvent? record;
        try
        {
            record = message?.Deserialize(call!.MessageType, OperationsJson.Options) as ISegmentEvent;
        }
        catch (JsonException ex)
        {
            throw new OperatorException(ExitCodes.Usage, $"The dead letter's message is not a {type} the worker can read: {ex.Message}");
        }
        return record switch
        {
            TrackEvent track => MappingEvent.From(track),
            PageEvent page => MappingEvent.From(page),
            ScreenEvent screen => MappingEvent.From(screen),
            _ => throw new OperatorException(ExitCodes.Usage, $"The dead letter carries no {type} message."),
        };
    }

    /// <summary>
    /// The event as the worker receives it: read by the ingest API's own parser (<see cref="SegmentEventParser"/>, as a
    /// webhook body), so its messageId, and so Novu's transactionId, is the one the worker would send.
    /// </summary>
    static MappingEvent Read(string eventJson)
    {
        var parsed = SegmentEventParser.Parse(Encoding.UTF8.GetBytes(eventJson));
        if (parsed.Error is { } error)
            throw new OperatorException(ExitCodes.Usage, $"The ingest API would refuse this event ({error.Status} {error.Title}): {error.Detail}");
        if (parsed.IsBatch)
            throw new OperatorException(ExitCodes.Usage, "Give one event (a JSON object), not an array of them.");
        if (parsed.OptedOut > 0)
            throw new OperatorException(ExitCodes.Usage,
                "The event opts out of Novu (its \"integrations\"): the ingest API acknowledges it and publishes nothing.");
        return parsed.Events.Single() switch
        {
            TrackEvent track => MappingEvent.From(track),
            PageEvent page => MappingEvent.From(page),
            ScreenEvent screen => MappingEvent.From(screen),
            var other => throw new OperatorException(ExitCodes.Usage,
                $"Only track, page and screen events are mapped to workflows; this one's type is '{SegmentCalls.Of(other).Name}'."),
        };
    }
}
