using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Ingest.Authentication;

/// <summary>
/// What limits an array signed over its first element only (<c>Segment:AcceptFirstElementSignature</c>): whoever
/// captured one such body can put anything after its first element. So every element must be fresh (its
/// <c>sentAt</c>, else <c>timestamp</c>, within <c>Segment:FirstElementSignatureWindow</c>), which bounds how long a
/// captured body is good for; and a messageId published from such an array is not published again within the window,
/// so a replayed body adds nothing it already carried.
/// </summary>
public sealed class FirstElementSignatureGuard(IOptions<SegmentOptions> options, TimeProvider clock)
{
    readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    DateTimeOffset _nextSweep;

    TimeSpan Window => options.Value.FirstElementSignatureWindow;

    /// <summary>Why the array is refused (an element with no time, or older than the window), or null when every element is fresh.</summary>
    public string? Stale(ReadOnlyMemory<byte> body)
    {
        var oldest = clock.GetUtcNow() - Window;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                var at = TimeOf(element, "sentAt") ?? TimeOf(element, "timestamp");
                if (at is null)
                    return $"Element {index} has no sentAt or timestamp; an array signed over its first element only must date every element.";
                if (at < oldest)
                    return $"Element {index} is older than Segment:FirstElementSignatureWindow ({Window}).";
                index++;
            }
            return null;
        }
        catch (JsonException)
        {
            return "The body is not a JSON array.";
        }
        catch (InvalidOperationException)
        {
            return "The body is not a JSON array of events.";
        }
    }

    /// <summary>The events whose messageId was not published from a first-element-signed array within the window.</summary>
    public IReadOnlyList<ISegmentEvent> Unseen(IReadOnlyList<ISegmentEvent> events)
    {
        var now = clock.GetUtcNow();
        return [.. events.Where(e => !(_seen.TryGetValue(e.MessageId, out var until) && until > now))];
    }

    /// <summary>Remembers published events; called only once the broker confirmed them, so a 503 costs Segment's retry nothing.</summary>
    public void Remember(IEnumerable<ISegmentEvent> events)
    {
        var now = clock.GetUtcNow();
        foreach (var e in events)
            _seen[e.MessageId] = now + Window;
        if (now < _nextSweep)
            return;
        _nextSweep = now + Window;
        foreach (var (id, until) in _seen)
        {
            if (until <= now)
                _seen.TryRemove(id, out _);
        }
    }

    static DateTimeOffset? TimeOf(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;
}
