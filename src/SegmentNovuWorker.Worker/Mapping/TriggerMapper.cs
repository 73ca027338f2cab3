using System.Text.Json;
using System.Text.Json.Nodes;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Novu;

namespace SegmentNovuWorker.Worker.Mapping;

/// <summary>Segment track, page and screen → the body of Novu's trigger.</summary>
public static class TriggerMapper
{
    public static TriggerRequest ToTrigger(TrackEvent track, string workflow, string subscriberId) =>
        ToTrigger(track, track.Properties, workflow, subscriberId);

    /// <summary>Any Segment call with properties: they become the payload, the messageId the transactionId.</summary>
    public static TriggerRequest ToTrigger(ISegmentEvent segmentEvent, JsonElement? properties, string workflow, string subscriberId) =>
        new(workflow, new TriggerRecipient(subscriberId), Payload(properties), segmentEvent.MessageId);

    /// <summary>Segment properties as the trigger payload; an empty object when there are none.</summary>
    public static JsonObject Payload(JsonElement? properties) =>
        properties is { ValueKind: JsonValueKind.Object } p ? JsonNode.Parse(p.GetRawText())!.AsObject() : [];
}
