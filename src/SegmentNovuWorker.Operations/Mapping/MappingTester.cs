using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Mapping;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Operations.Broker;

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
    public static MappingTestReport Test(IConfiguration configuration, string eventJson)
    {
        var load = Check(configuration);
        if (load.Map is null)
            throw new OperatorException(ExitCodes.Usage, "The mapping does not compile:\n" + string.Join("\n", load.Errors));
        var e = Read(eventJson);
        var result = load.Map.Map(e);
        return new MappingTestReport(e.Type, e.Name, e.MessageId, result.Verdict, result.Reason, result.Why, result.Rules, result.Triggers);
    }

    /// <summary>
    /// The event as the worker receives it: read into its message record through the one table of Segment calls (as the
    /// ingest API reads it), then the mapping's view of that record.
    /// </summary>
    static MappingEvent Read(string eventJson)
    {
        JsonElement element;
        try
        {
            element = JsonDocument.Parse(eventJson).RootElement;
        }
        catch (JsonException ex)
        {
            throw new OperatorException(ExitCodes.Usage, $"The event is not JSON: {ex.Message}");
        }
        if (element.ValueKind != JsonValueKind.Object)
            throw new OperatorException(ExitCodes.Usage, "The event must be a JSON object.");

        var type = SegmentJson.String(element, "type");
        var call = SegmentCalls.ByName(type);
        if (call != SegmentCalls.Track && call != SegmentCalls.Page && call != SegmentCalls.Screen)
            throw new OperatorException(ExitCodes.Usage,
                $"Only track, page and screen events are mapped to workflows; this one's type is '{type ?? "(none)"}'.");

        // As the ingest API does: an event without a messageId gets one derived from its bytes.
        var messageId = SegmentJson.Identifier(element, "messageId") ?? SegmentMessageIds.Derive(Encoding.UTF8.GetBytes(eventJson));
        var fields = new SegmentEventFields(messageId, SegmentJson.Identifier(element, "userId"), SegmentJson.Identifier(element, "anonymousId"),
            SegmentJson.Timestamp(element), SegmentJson.Object(element, "context"));
        return call!.Read(fields, element) switch
        {
            { Event: TrackEvent track } => MappingEvent.From(track),
            { Event: PageEvent page } => MappingEvent.From(page),
            { Event: ScreenEvent screen } => MappingEvent.From(screen),
            var read => throw new OperatorException(ExitCodes.Usage, $"The event is not a valid {type}: {read.Error}"),
        };
    }
}
