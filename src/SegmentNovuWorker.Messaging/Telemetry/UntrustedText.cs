using System.Buffers;
using System.Globalization;
using System.Text;

namespace SegmentNovuWorker.Messaging.Telemetry;

/// <summary>
/// Text that came from an event (an event name, an id, a reason quoting them), made safe for a terminal and for a
/// line-based log: every control character (C0, DEL, C1: escape sequences, newlines, carriage returns), line and
/// paragraph separator and bidirectional override is written as a visible <c>\uXXXX</c>, so that nobody can hide
/// text, move the cursor, or forge a line that looks like the tool's or the log's own.
/// </summary>
public static class UntrustedText
{
    static readonly SearchValues<char> Unsafe = SearchValues.Create(string.Concat(
        Enumerable.Range(0, 0xFFFF).Select(c => (char)c).Where(c =>
            char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))));

    /// <summary><paramref name="text"/> with every unsafe character escaped; the same string when it has none.</summary>
    public static string Neutralise(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.AsSpan().IndexOfAny(Unsafe) < 0)
            return text ?? "";
        var safe = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (Unsafe.Contains(c))
                safe.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else
                safe.Append(c);
        }
        return safe.ToString();
    }

    /// <summary>Each line of <paramref name="text"/> neutralised, its own line breaks kept (indented JSON, for one).</summary>
    public static string NeutraliseLines(string text) =>
        string.Join(Environment.NewLine, text.ReplaceLineEndings("\n").Split('\n').Select(Neutralise));
}
