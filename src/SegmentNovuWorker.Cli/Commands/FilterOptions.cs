using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using SegmentNovuWorker.Operations.DeadLetters;

namespace SegmentNovuWorker.Cli.Commands;

/// <summary>The dead-letter filter, the same on every <c>dlq</c> command.</summary>
sealed class FilterOptions
{
    readonly Option<string?> _queue = new("--queue") { Description = "Only this queue: segment-track or segment-identify (with or without _error)." };
    readonly Option<string?> _reason = new("--reason") { Description = "Only this reason class, e.g. novu-rejected, unmapped-event, missing-user-id, unknown." };
    readonly Option<string?> _event = new("--event") { Description = "Only this track event name, e.g. \"Order Completed\"." };
    readonly Option<string?> _type = new("--type") { Description = "Only this Segment call type: track or identify." };
    readonly Option<DateTimeOffset?> _since = new("--since") { Description = "Last failure at or after: an ISO 8601 time (UTC unless it says) or an age like 30m, 2h, 1d.", CustomParser = ParseTime };
    readonly Option<DateTimeOffset?> _until = new("--until") { Description = "Last failure before: an ISO 8601 time or an age like 30m, 2h, 1d.", CustomParser = ParseTime };

    public void AddTo(Command command)
    {
        command.Add(_queue);
        command.Add(_reason);
        command.Add(_event);
        command.Add(_type);
        command.Add(_since);
        command.Add(_until);
    }

    public DeadLetterFilter Read(ParseResult parse, string? messageId = null) => new(
        parse.GetValue(_queue), parse.GetValue(_reason), parse.GetValue(_event), parse.GetValue(_type),
        parse.GetValue(_since), parse.GetValue(_until), messageId);

    public static DateTimeOffset? ParseTime(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            TimeSpan? age = text[^1] switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (age is { } ago)
                return DateTimeOffset.UtcNow - ago;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            return time.ToUniversalTime();
        result.AddError($"'{text}' is neither an ISO 8601 time (2026-11-29T01:00:00Z) nor an age (30m, 2h, 1d).");
        return null;
    }
}
