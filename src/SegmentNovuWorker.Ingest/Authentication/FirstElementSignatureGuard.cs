using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace SegmentNovuWorker.Ingest.Authentication;

/// <summary>The signed first element of an Actions batch: its identity, and until when a body starting with it may be accepted.</summary>
/// <param name="Id">Its messageId (else a hash of its bytes): accepted once, it is the body's ticket.</param>
/// <param name="Until">When it falls out of <c>Segment:FirstElementSignatureWindow</c>; its ticket is remembered until then.</param>
public sealed record FirstElement(string Id, DateTimeOffset Until);

/// <summary>
/// What limits an array signed over its first element only (<c>Segment:AcceptFirstElementSignature</c>): whoever
/// captured one such body can put anything after its first element, but cannot change the first element. So the first
/// element is a ticket: a body is accepted once per first element, and only while that element is within the window,
/// which is as long as its ticket is remembered (<see cref="FirstElementTickets"/>). The other elements' dates prove
/// nothing (whoever appends them chooses them) and are not judged.
/// </summary>
public sealed class FirstElementSignatureGuard(IOptions<SegmentOptions> options, TimeProvider clock)
{
    /// <summary>The signed first element, or why a body starting with it cannot be accepted (too old, or undated).</summary>
    public (FirstElement? First, string? Refusal) Judge(ReadOnlySpan<byte> firstElement)
    {
        var window = options.Value.FirstElementSignatureWindow;
        try
        {
            using var document = JsonDocument.Parse(firstElement.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
            var element = document.RootElement;
            // receivedAt is Segment's own clock, before any delivery attempt; sentAt and timestamp come from the sender's
            // device and can be hours off (timestamp is when it happened, which an offline phone reports late).
            var (field, at) = TimeOf(element, "receivedAt") ?? TimeOf(element, "sentAt") ?? TimeOf(element, "timestamp") ?? default;
            if (field is null)
                return (null, "The first element has no receivedAt, sentAt or timestamp, so the ingest cannot tell how long to remember it.");
            var now = clock.GetUtcNow();
            if (at < now - window)
                return (null, $"The first element's {field} ({at:O}) is older than Segment:FirstElementSignatureWindow ({window}), " +
                    $"longer ago than Segment retries ({SegmentOptions.SegmentRetryHorizon.TotalHours:0} hours): this is not a retry of a failed delivery but a replay.");
            var id = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("messageId", out var messageId)
                && messageId.ValueKind == JsonValueKind.String && messageId.GetString() is { Length: > 0 and <= Parsing.SegmentLimits.MaxMessageIdLength } given
                    ? given
                    : "sha256-" + Convert.ToHexStringLower(SHA256.HashData(firstElement));
            // Acceptable while its date is within the window: that is exactly as long as its ticket must be remembered.
            return (new FirstElement(id, at + window), null);
        }
        catch (JsonException)
        {
            return (null, "The first element is not JSON.");
        }
    }

    /// <summary>
    /// Until when a body accepted with a whole-body signature is remembered: the window from now, or from its own date
    /// when that is later, since the same bytes, as an array's first element, are acceptable until their date leaves
    /// the window. An array signed whole is dated by its first element, as that element would be.
    /// </summary>
    public DateTimeOffset WholeBodyUntil(ReadOnlySpan<byte> body)
    {
        var window = options.Value.FirstElementSignatureWindow;
        var now = clock.GetUtcNow();
        var first = SegmentSignature.FirstArrayElement(body);
        try
        {
            using var document = JsonDocument.Parse((first.IsEmpty ? body : first).ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
            var (_, at) = TimeOf(document.RootElement, "receivedAt") ?? TimeOf(document.RootElement, "sentAt") ?? TimeOf(document.RootElement, "timestamp") ?? default;
            return (at > now ? at : now) + window;
        }
        catch (JsonException)
        {
            return now + window;
        }
    }

    static (string Field, DateTimeOffset At)? TimeOf(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? (property, at)
            : null;
}
