using SegmentNovuWorker.Messaging.Telemetry;
using SegmentNovuWorker.Operations;
using SegmentNovuWorker.Operations.DeadLetters;

namespace SegmentNovuWorker.Cli.Output;

/// <summary>One dead letter in full, for <c>dlq show</c>; everything that came from the event is <see cref="UntrustedText"/>.</summary>
static class DeadLetterView
{
    const int MaxHeaderWidth = 160;

    public static async Task WriteAsync(TextWriter output, DeadLetterDetail detail)
    {
        var d = detail.DeadLetter;
        var fields = new (string, object?)[]
        {
            ("Segment messageId", d.MessageId),
            ("Queue", $"{d.Queue} (a replay sends it to {d.OriginalQueue})"),
            ("Type", d.Type),
            ("Event", d.EventName),
            ("User", d.UserId),
            ("Reason", d.Reason),
            ("HTTP status", d.HttpStatus),
            ("Novu message", d.NovuMessage),
            ("Attempts", d.Attempts),
            ("Redeliveries", d.Redeliveries),
            ("First failure", d.FirstFailureAt?.ToString("O")),
            ("Last failure", d.LastFailureAt?.ToString("O")),
            ("Exception", d.ExceptionType),
            ("Exception message", d.ExceptionMessage),
        };
        foreach (var (name, value) in fields)
            await output.WriteLineAsync($"{name,-18} {UntrustedText.Neutralise(value?.ToString() ?? "-")}");

        await output.WriteLineAsync();
        await output.WriteLineAsync("Headers");
        var width = detail.Headers.Keys.Select(k => k.Length).DefaultIfEmpty(0).Max();
        foreach (var (name, value) in detail.Headers)
            await output.WriteLineAsync($"  {UntrustedText.Neutralise(name).PadRight(width)}  {Shorten(value)}");

        await output.WriteLineAsync();
        await output.WriteLineAsync("Event");
        await output.WriteLineAsync(detail.Event is { } body
            ? UntrustedText.NeutraliseLines(body.ToJsonString(OperationsJson.Indented))
            : "(the body is not a MassTransit envelope)");
        await output.WriteLineAsync();
    }

    // A stack trace in full belongs in --json, not in a terminal.
    static string? Shorten(string? value)
    {
        var text = value is null ? null : UntrustedText.Neutralise(value);
        return text is { Length: > MaxHeaderWidth } ? text[..MaxHeaderWidth] + "… (--json shows all)" : text;
    }
}
