using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace SegmentNovuWorker.Mapping;

/// <summary>
/// How one value of a trigger is made from the event (a payload key, a <c>to</c> field, an override…). In configuration:
/// <list type="bullet">
/// <item><c>"$.properties.order_id"</c> or <c>{"@path": "properties.order_id"}</c>: the value at that path, with its JSON type;</item>
/// <item><c>"Hi {{ context.traits.firstName }}"</c> or <c>{"@template": "…"}</c>: a Liquid template, rendered to text;</item>
/// <item>any other text, or <c>{"@literal": "…"}</c>: that text;</item>
/// <item><c>{"@json": "true"}</c>: a typed literal (configuration files carry only text);</item>
/// <item>an object of any other keys: an object, each key mapped the same way.</item>
/// </list>
/// A value that resolves to nothing (a missing path, JSON null, an empty rendering, an object left empty) is left out.
/// </summary>
public abstract record MappedValue
{
    /// <summary>The value for this event, or null to leave it out.</summary>
    /// <exception cref="TemplateFailedException">A template failed for this event.</exception>
    public abstract JsonNode? Render(JsonObject document);

    public sealed record Path(EventPath At) : MappedValue
    {
        public override JsonNode? Render(JsonObject document) => At.Resolve(document)?.DeepClone();
    }

    public sealed record Template(LiquidTemplate Liquid, string Key) : MappedValue
    {
        public override JsonNode? Render(JsonObject document)
        {
            string text;
            try
            {
                text = Liquid.Render(document);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new TemplateFailedException(Key, ex.Message, ex);
            }
            return string.IsNullOrEmpty(text) ? null : JsonValue.Create(text);
        }
    }

    public sealed record Literal(JsonNode Value) : MappedValue
    {
        public override JsonNode? Render(JsonObject document) => Value.DeepClone();
    }

    public sealed record ObjectValue(IReadOnlyList<KeyValuePair<string, MappedValue>> Members) : MappedValue
    {
        public override JsonNode? Render(JsonObject document) => RenderObject(document);

        public JsonObject? RenderObject(JsonObject document)
        {
            var result = new JsonObject();
            foreach (var (key, value) in Members)
            {
                if (value.Render(document) is { } node)
                    result[key] = node;
            }
            return result.Count == 0 ? null : result;
        }
    }

    public sealed record ArrayValue(IReadOnlyList<MappedValue> Items) : MappedValue
    {
        public override JsonNode? Render(JsonObject document)
        {
            var result = new JsonArray();
            foreach (var item in Items)
            {
                if (item.Render(document) is { } node)
                    result.Add(node);
            }
            return result.Count == 0 ? null : result;
        }
    }

    /// <summary>Reads a value from configuration; <paramref name="errors"/> gets one line per mistake, naming the key.</summary>
    public static MappedValue? From(IConfigurationSection section, List<string> errors)
    {
        if (section.Value is { } text)
            return FromText(section.Path, text, errors);

        var children = section.GetChildren().ToList();
        var directives = children.Where(c => c.Key.StartsWith('@')).ToList();
        if (directives.Count > 0)
        {
            if (children.Count != 1)
            {
                errors.Add($"{section.Path}: a directive ({string.Join(", ", directives.Select(d => d.Key))}) must be the object's only key.");
                return null;
            }
            var directive = children[0];
            var value = directive.Value ?? "";
            switch (directive.Key.ToLowerInvariant())
            {
                case "@path":
                    return Try(directive.Path, errors, () => new Path(EventPath.Parse(value)));
                case "@template":
                    return Try(directive.Path, errors, () => new Template(LiquidTemplate.Compile(value), section.Path));
                case "@literal":
                    return new Literal(JsonValue.Create(value));
                case "@json":
                    return Try(directive.Path, errors, () => new Literal(JsonNode.Parse(value) ?? throw new FormatException("null is never sent; leave the key out")));
                default:
                    errors.Add($"{directive.Path}: unknown directive; use @path, @template, @literal or @json.");
                    return null;
            }
        }

        // Configuration has no arrays: a list arrives as keys 0, 1, 2….
        if (children.Count > 0 && children.Select((c, i) => c.Key == i.ToString(System.Globalization.CultureInfo.InvariantCulture)).All(b => b))
            return new ArrayValue(children.Select(c => From(c, errors)).OfType<MappedValue>().ToList());

        var members = new List<KeyValuePair<string, MappedValue>>();
        foreach (var child in children)
        {
            if (From(child, errors) is { } value)
                members.Add(new(child.Key, value));
        }
        return new ObjectValue(members);
    }

    static MappedValue? FromText(string key, string text, List<string> errors)
    {
        if (text.StartsWith("$.", StringComparison.Ordinal))
            return Try(key, errors, () => new Path(EventPath.Parse(text)));
        if (text.Contains("{{", StringComparison.Ordinal) || text.Contains("{%", StringComparison.Ordinal))
            return Try(key, errors, () => new Template(LiquidTemplate.Compile(text), key));
        return new Literal(JsonValue.Create(text));
    }

    static MappedValue? Try(string key, List<string> errors, Func<MappedValue> create)
    {
        try
        {
            return create();
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
        {
            errors.Add($"{key}: {ex.Message}");
            return null;
        }
    }
}

/// <summary>A template failed for one event (its data, not its text): the event is dead-lettered as <c>mapping-failed</c>.</summary>
public sealed class TemplateFailedException(string key, string message, Exception inner)
    : Exception($"the template at {key} failed: {message}", inner)
{
    public string Key { get; } = key;
}
