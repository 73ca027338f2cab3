using SegmentNovuWorker.Messaging.Telemetry;

namespace SegmentNovuWorker.Cli.Output;

/// <summary>A plain-text table with a header row, columns as wide as their widest cell (capped), numbers right-aligned.</summary>
sealed class Table(params string[] headers)
{
    const int MaxCellWidth = 48;
    readonly List<string[]> _rows = [];
    readonly HashSet<int> _rightAligned = [];

    public Table AlignRight(params int[] columns)
    {
        _rightAligned.UnionWith(columns);
        return this;
    }

    public void Add(params object?[] cells) => _rows.Add([.. cells.Select(Cell)]);

    public void WriteTo(TextWriter output)
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        output.WriteLine(Line(headers, widths).TrimEnd());
        foreach (var row in _rows)
            output.WriteLine(Line(row, widths).TrimEnd());
    }

    string Line(string[] cells, int[] widths) => string.Join("  ",
        cells.Select((c, i) => _rightAligned.Contains(i) ? c.PadLeft(widths[i]) : c.PadRight(widths[i])));

    static string Cell(object? value)
    {
        var text = value switch
        {
            null => "-",
            DateTimeOffset time => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "-",
        };
        text = UntrustedText.Neutralise(text);
        return text.Length > MaxCellWidth ? text[..(MaxCellWidth - 1)] + "…" : text;
    }
}
