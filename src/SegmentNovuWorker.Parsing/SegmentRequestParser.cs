using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Parsing;

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

    /// <summary>Why text that is not UTF-8 (or not Unicode, as a lone surrogate escape) is refused.</summary>
    public const string NotUnicode = "The event contains text that is not valid UTF-8 or Unicode.";

    /// <param name="deletesAllowed">False for a sender that may not delete (a client write key).</param>
    /// <param name="limits">The request's limits; the tracking API's when not given.</param>
    public static ParseResult Parse(ReadOnlyMemory<byte> body, RequestShape shape, string? impliedType = null, bool deletesAllowed = true,
        RequestLimits? limits = null)
    {
        limits ??= SegmentLimits.TrackingApi;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = SegmentLimits.MaxDepth });
        }
        catch (JsonException ex)
        {
            return ParseResult.Refused(400, "Invalid JSON", $"The body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            // System.Text.Json checks UTF-8 only when it decodes a string: checked here once, so that invalid text is the
            // sender's 400 (or, in a batch, that event's rejection) and never a failure to read or publish it later.
            var utf8 = Utf8.IsValid(body.Span);
            try
            {
                return Read(document.RootElement, body.Length, shape, impliedType, deletesAllowed, limits, utf8);
            }
            catch (InvalidOperationException)
            {
                // A string outside any batch event that cannot be decoded (invalid UTF-8, a lone surrogate escape).
                return ParseResult.Refused(400, "Invalid text", NotUnicode, [new EventError(null, NotUnicode)]);
            }
        }
    }

    static ParseResult Read(JsonElement root, int bytes, RequestShape shape, string? impliedType, bool deletesAllowed, RequestLimits limits, bool utf8)
    {
        {
            if (!utf8 && !IsBatch(root, shape, out _))
                return ParseResult.Refused(400, "Invalid text", NotUnicode, [new EventError(null, NotUnicode)]);
            return (shape, root.ValueKind) switch
            {
                (RequestShape.Webhook, JsonValueKind.Array) => Batch(root, null, null, deletesAllowed, limits, utf8),
                (RequestShape.Webhook or RequestShape.TrackingCall, JsonValueKind.Object) => Single(root, bytes, impliedType, deletesAllowed, limits),
                (RequestShape.TrackingBatch, JsonValueKind.Object) when root.TryGetProperty("batch", out var batch) && batch.ValueKind == JsonValueKind.Array =>
                    Batch(batch, SegmentJson.Object(root, "context"), SegmentJson.Object(root, "integrations"), deletesAllowed, limits, utf8),
                (RequestShape.TrackingBatch, _) => ParseResult.Refused(400, "Invalid Segment batch", "The body must be an object with a \"batch\" array."),
                (RequestShape.Webhook, _) => ParseResult.Refused(400, "Invalid Segment event",
                    $"The body must be a Segment event object or an array of them, not {root.ValueKind}."),
                _ => ParseResult.Refused(400, "Invalid Segment event", $"The body must be a Segment event object, not {root.ValueKind}."),
            };
        }
    }

    /// <summary>
    /// A batch whose text outside its events is valid UTF-8, so that only its events can hold invalid text (each is then
    /// set aside on its own): an array, or a <c>/v1/batch</c> object whose other members are valid.
    /// </summary>
    static bool IsBatch(JsonElement root, RequestShape shape, out JsonElement batch)
    {
        batch = default;
        if (shape == RequestShape.Webhook && root.ValueKind == JsonValueKind.Array)
        {
            batch = root;
            return true;
        }
        if (shape != RequestShape.TrackingBatch || root.ValueKind != JsonValueKind.Object)
            return false;
        foreach (var member in root.EnumerateObject())
        {
            var name = JsonMarshal.GetRawUtf8PropertyName(member);
            if (!Utf8.IsValid(name))
                return false;
            if (name.SequenceEqual("batch"u8) && member.Value.ValueKind == JsonValueKind.Array)
                batch = member.Value;
            else if (!Utf8.IsValid(JsonMarshal.GetRawUtf8Value(member.Value)))
                return false;
        }
        return batch.ValueKind == JsonValueKind.Array;
    }

    static ParseResult Single(JsonElement root, int bytes, string? impliedType, bool deletesAllowed, RequestLimits limits)
    {
        if (bytes > limits.MaxEventBytes)
            return ParseResult.Refused(413, "Event too large", $"An event may be at most {limits.MaxEventBytes} bytes.");

        var outcome = SegmentEventParser.ParseEvent(root, impliedType);
        if (outcome.Error is { } error)
            return ParseResult.Refused(400, "Invalid Segment event", error, [new EventError(null, error)]);
        if (!deletesAllowed && outcome.Event is DeleteEvent)
            return ParseResult.Refused(403, "Delete not allowed", DeleteNotAllowed, [new EventError(null, DeleteNotAllowed)]);
        return new ParseResult
        {
            Events = outcome.OptedOut ? [] : [outcome.Event!],
            OptedOut = outcome.OptedOut ? 1 : 0,
        };
    }

    static ParseResult Batch(JsonElement batch, JsonElement? context, JsonElement? integrations, bool deletesAllowed,
        RequestLimits limits, bool utf8)
    {
        var count = batch.GetArrayLength();
        if (count == 0)
            return ParseResult.Refused(400, "Invalid Segment batch", "The batch is empty.");
        if (count > limits.MaxBatchEvents)
            return ParseResult.Refused(413, "Batch too large", $"A batch may carry at most {limits.MaxBatchEvents} events, not {count}.");

        var events = new List<ISegmentEvent>();
        var invalid = new List<InvalidEvent>();
        var optedOut = 0;
        var index = 0;
        foreach (var element in batch.EnumerateArray())
        {
            var rawBytes = JsonMarshal.GetRawUtf8Value(element);
            if (!utf8 && !Utf8.IsValid(rawBytes))
            {
                // Its text cannot be decoded, so neither can its ids: kept with replacement characters, identified by its bytes.
                invalid.Add(new InvalidEvent(index++, NotUnicode, Encoding.UTF8.GetString(rawBytes), SegmentMessageIds.Derive(rawBytes), null, null));
                continue;
            }
            var raw = element.GetRawText();
            var outcome = rawBytes.Length > limits.MaxEventBytes
                ? new EventOutcome(null, $"The event is larger than {limits.MaxEventBytes} bytes.")
                : ParseEvent(element, context, integrations);
            if (!deletesAllowed && outcome.Event is DeleteEvent)
                outcome = new EventOutcome(null, DeleteNotAllowed);
            if (outcome.Error is { } error)
                invalid.Add(new InvalidEvent(index, error, raw, SegmentEventParser.MessageIdOf(element),
                    SegmentEventParser.IdentifierOf(element, "userId"), SegmentEventParser.IdentifierOf(element, "anonymousId")));
            else if (outcome.OptedOut)
                optedOut++;
            else
                events.Add(outcome.Event!);
            index++;
        }
        return new ParseResult { IsBatch = true, Events = events, Invalid = invalid, OptedOut = optedOut };
    }

    /// <summary>One event of a batch; a string that cannot be decoded (a lone surrogate escape) sets it aside.</summary>
    static EventOutcome ParseEvent(JsonElement element, JsonElement? context, JsonElement? integrations)
    {
        try
        {
            return SegmentEventParser.ParseEvent(element, null, context, integrations);
        }
        catch (InvalidOperationException)
        {
            return new EventOutcome(null, NotUnicode);
        }
    }
}
