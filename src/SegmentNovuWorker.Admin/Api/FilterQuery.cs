using SegmentNovuWorker.Operations.DeadLetters;

namespace SegmentNovuWorker.Admin.Api;

/// <summary>The dead-letter filter as query parameters, named as the tool's options are.</summary>
public sealed record FilterQuery(string? Queue, string? Reason, string? Event, string? Type, DateTimeOffset? Since, DateTimeOffset? Until, string? MessageId)
{
    public DeadLetterFilter ToFilter() => new(Queue, Reason, Event, Type, Since?.ToUniversalTime(), Until?.ToUniversalTime(), MessageId);

    public static FilterQuery From(DeadLetterFilter filter) =>
        new(filter.Queue, filter.Reason, filter.EventName, filter.Type, filter.Since, filter.Until, filter.MessageId);

    /// <summary>The criteria given, as query parameters (for links that keep the filter).</summary>
    public Dictionary<string, string?> ToRouteValues()
    {
        var values = new Dictionary<string, string?>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
                values[name] = value;
        }
        Add("queue", Queue);
        Add("reason", Reason);
        Add("event", Event);
        Add("type", Type);
        Add("since", Since?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        Add("until", Until?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        Add("messageId", MessageId);
        return values;
    }
}
