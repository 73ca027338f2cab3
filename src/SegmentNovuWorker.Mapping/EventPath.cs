using System.Text;
using System.Text.Json.Nodes;

namespace SegmentNovuWorker.Mapping;

/// <summary>
/// A path into the Segment event: <c>properties.order_id</c>, <c>context.traits.email</c>,
/// <c>properties.items[0].sku</c>, <c>properties['Order Id']</c>. A leading <c>$.</c> (Segment's own notation) is
/// allowed. Names match exactly, as JSON keys do.
/// </summary>
public sealed class EventPath
{
    readonly IReadOnlyList<object> _steps; // string: a property; int: an array index

    EventPath(string text, IReadOnlyList<object> steps)
    {
        Text = text;
        _steps = steps;
    }

    public string Text { get; }

    public override string ToString() => Text;

    /// <summary>The value at this path, or null when the path leads nowhere or to JSON null.</summary>
    public JsonNode? Resolve(JsonObject document)
    {
        JsonNode? node = document;
        foreach (var step in _steps)
        {
            node = (step, node) switch
            {
                (string name, JsonObject o) => o.TryGetPropertyValue(name, out var child) ? child : null,
                (int index, JsonArray a) => index < a.Count ? a[index] : null,
                _ => null,
            };
            if (node is null)
                return null;
        }
        return node;
    }

    /// <exception cref="FormatException">The text is not a path; the message says where.</exception>
    public static EventPath Parse(string text)
    {
        var source = text.Trim();
        var i = source.StartsWith("$.", StringComparison.Ordinal) ? 2 : 0;
        var steps = new List<object>();
        var expectName = true;
        while (i < source.Length)
        {
            if (source[i] == '[')
            {
                var end = source.IndexOf(']', i);
                if (end < 0)
                    throw new FormatException($"'[' at position {i + 1} of path '{text}' is never closed.");
                var inner = source[(i + 1)..end].Trim();
                if (inner.Length >= 2 && (inner[0] is '\'' or '"') && inner[^1] == inner[0])
                    steps.Add(inner[1..^1]);
                else if (int.TryParse(inner, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
                    steps.Add(index);
                else
                    throw new FormatException($"[{inner}] in path '{text}' is neither an index nor a quoted name.");
                i = end + 1;
                expectName = false;
                continue;
            }
            if (!expectName)
            {
                if (source[i] != '.')
                    throw new FormatException($"Unexpected '{source[i]}' at position {i + 1} of path '{text}'.");
                i++;
            }
            var name = new StringBuilder();
            while (i < source.Length && IsNameChar(source[i]))
                name.Append(source[i++]);
            if (name.Length == 0)
                throw new FormatException(i < source.Length
                    ? $"Unexpected '{source[i]}' at position {i + 1} of path '{text}'."
                    : $"Path '{text}' ends where a name should follow.");
            steps.Add(name.ToString());
            expectName = false;
        }
        if (steps.Count == 0)
            throw new FormatException("A path cannot be empty.");
        return new EventPath(text.Trim(), steps);
    }

    /// <summary>The characters of an unquoted name: what Segment's property names use. Anything else goes in <c>['…']</c>.</summary>
    public static bool IsNameChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '-' or '$' or '@';
}
