using System.Text;
using System.Text.Json;
using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Ingest.Parsing;

/// <summary>The body shapes Segment sends.</summary>
public enum RequestShape
{
    /// <summary>The Webhooks destination: one event, or (Actions batch mode) an array of them.</summary>
    Webhook,

    /// <summary><c>/v1/identify</c>, <c>/v1/track</c>, …: one event, its type implied by the path.</summary>
    TrackingCall,

    /// <summary><c>/v1/batch</c>: <c>{"batch":[…], "context"?, "integrations"?, "writeKey"?}</c>.</summary>
    TrackingBatch,
}

/// <summary>
/// Reads a request body into messages. A body that is not Segment JSON, or over a limit, refuses the whole request;
/// inside a batch, each invalid event is set aside with its reason and does not cost the others.
/// </summary>
public static class SegmentRequestParser
{
    /// <summary>Why a client write key's delete is refused (403 alone; its reason in <c>segment-rejected</c> in a batch).</summary>
    public const string DeleteNotAllowed =
        "A client write key (Segment:ClientWriteKeys) may not delete users: browser and mobile keys are public. Send deletes with a server write key.";

    /// <param name="deletesAllowed">False for a sender that may not delete (a client write key).</param>
    public static ParseResult Parse(ReadOnlyMemory<byte> body, RequestShape shape, string? impliedType = null, bool deletesAllowed = true)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            return ParseResult.Refused(400, "Invalid JSON", $"The body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            return (shape, root.ValueKind) switch
            {
                (RequestShape.Webhook, JsonValueKind.Array) => Batch(root, null, null, null, deletesAllowed),
                (RequestShape.Webhook or RequestShape.TrackingCall, JsonValueKind.Object) => Single(root, body.Length, impliedType, deletesAllowed),
                (RequestShape.TrackingBatch, JsonValueKind.Object) when root.TryGetProperty("batch", out var batch) && batch.ValueKind == JsonValueKind.Array =>
                    Batch(batch, SegmentEventParser.Object(root, "context"), SegmentEventParser.Object(root, "integrations"), WriteKeyOf(root), deletesAllowed),
                (RequestShape.TrackingBatch, _) => ParseResult.Refused(400, "Invalid Segment batch", "The body must be an object with a \"batch\" array."),
                (RequestShape.Webhook, _) => ParseResult.Refused(400, "Invalid Segment event",
                    $"The body must be a Segment event object or an array of them, not {root.ValueKind}."),
                _ => ParseResult.Refused(400, "Invalid Segment event", $"The body must be a Segment event object, not {root.ValueKind}."),
            };
        }
    }

    static ParseResult Single(JsonElement root, int bytes, string? impliedType, bool deletesAllowed)
    {
        if (bytes > SegmentLimits.MaxEventBytes)
            return ParseResult.Refused(413, "Event too large", $"An event may be at most {SegmentLimits.MaxEventBytes} bytes.");

        var outcome = SegmentEventParser.ParseEvent(root, impliedType);
        if (outcome.Error is { } error)
            return ParseResult.Refused(400, "Invalid Segment event", error, [new EventError(null, error)]);
        if (!deletesAllowed && outcome.Event is DeleteEvent)
            return ParseResult.Refused(403, "Delete not allowed", DeleteNotAllowed, [new EventError(null, DeleteNotAllowed)]);
        return new ParseResult
        {
            Events = outcome.OptedOut ? [] : [outcome.Event!],
            OptedOut = outcome.OptedOut ? 1 : 0,
            WriteKey = WriteKeyOf(root),
        };
    }

    static ParseResult Batch(JsonElement batch, JsonElement? context, JsonElement? integrations, string? writeKey, bool deletesAllowed)
    {
        var count = batch.GetArrayLength();
        if (count == 0)
            return ParseResult.Refused(400, "Invalid Segment batch", "The batch is empty.");
        if (count > SegmentLimits.MaxBatchEvents)
            return ParseResult.Refused(413, "Batch too large", $"A batch may carry at most {SegmentLimits.MaxBatchEvents} events, not {count}.");

        var events = new List<ISegmentEvent>();
        var invalid = new List<InvalidEvent>();
        var optedOut = 0;
        var index = 0;
        foreach (var element in batch.EnumerateArray())
        {
            var raw = element.GetRawText();
            var outcome = Encoding.UTF8.GetByteCount(raw) > SegmentLimits.MaxEventBytes
                ? new EventOutcome(null, $"The event is larger than {SegmentLimits.MaxEventBytes} bytes.")
                : SegmentEventParser.ParseEvent(element, null, context, integrations);
            if (!deletesAllowed && outcome.Event is DeleteEvent)
                outcome = new EventOutcome(null, DeleteNotAllowed);
            if (outcome.Error is { } error)
                invalid.Add(new InvalidEvent(index, error, raw, SegmentEventParser.MessageIdOf(element),
                    SegmentEventParser.Identifier(element, "userId"), SegmentEventParser.Identifier(element, "anonymousId")));
            else if (outcome.OptedOut)
                optedOut++;
            else
                events.Add(outcome.Event!);
            index++;
        }
        return new ParseResult { IsBatch = true, Events = events, Invalid = invalid, OptedOut = optedOut, WriteKey = writeKey };
    }

    static string? WriteKeyOf(JsonElement root) =>
        root.TryGetProperty("writeKey", out var key) && key.ValueKind == JsonValueKind.String ? key.GetString() : null;
}
