using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid;

namespace SegmentNovuWorker.Mapping;

/// <summary>A Liquid template (Fluid) over the Segment event: <c>{{ context.traits.firstName }}</c>, <c>{{ properties.total | times: 1.2 }}</c>.</summary>
public sealed class LiquidTemplate
{
    static readonly FluidParser Parser = new();

    // Strict filters: a misspelt filter is a configuration error found at load (see Compile), not text silently
    // passed through. MaxSteps bounds what one event can cost the worker.
    static readonly TemplateOptions Options = new()
    {
        StrictFilters = true,
        MaxSteps = 100_000,
        MaxRecursion = 20,
        CultureInfo = System.Globalization.CultureInfo.InvariantCulture,
        TimeZone = TimeZoneInfo.Utc,
    };

    readonly IFluidTemplate _template;

    LiquidTemplate(string source, IFluidTemplate template)
    {
        Source = source;
        _template = template;
    }

    public string Source { get; }

    /// <exception cref="FormatException">The template does not parse, or uses a filter Liquid does not have.</exception>
    public static LiquidTemplate Compile(string source)
    {
        if (!Parser.TryParse(source, out var template, out var error))
            throw new FormatException($"template '{source}' does not parse: {error}");
        var compiled = new LiquidTemplate(source, template);
        try
        {
            // Filters are looked up when rendering: render once against an empty event to find unknown ones now.
            compiled.Render([]);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new FormatException($"template '{source}' fails: {ex.Message}");
        }
        return compiled;
    }

    /// <exception cref="Exception">Whatever the template throws for this event (a filter on a value it cannot take, too many steps).</exception>
    public string Render(JsonObject document)
    {
        var context = new TemplateContext(Options);
        foreach (var (key, value) in document)
            context.SetValue(key, ToModel(value));
        return _template.Render(context);
    }

    /// <summary>JSON as plain .NET values Fluid knows: dictionaries, lists, strings, decimals, booleans.</summary>
    static object? ToModel(JsonNode? node) => node switch
    {
        JsonObject o => o.ToDictionary(p => p.Key, p => ToModel(p.Value)),
        JsonArray a => a.Select(ToModel).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.TryGetValue<decimal>(out var d) ? d : v.GetValue<double>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        },
        _ => null,
    };
}
