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
        MaxSteps = MaxSteps,
        MaxRecursion = MaxNesting,
        CultureInfo = System.Globalization.CultureInfo.InvariantCulture,
        TimeZone = TimeZoneInfo.Utc,
    };

    /// <summary>Statements one render may run (a loop's body counts once per turn).</summary>
    public const int MaxSteps = 100_000;

    /// <summary>Blocks one render may nest.</summary>
    public const int MaxNesting = 20;

    /// <summary>Said instead of Fluid's own words, which blame "a cyclic include statement" for a plain loop that ran long.</summary>
    public static readonly string OverBudget =
        $"the template ran past its budget for one event ({MaxSteps} steps, {MaxNesting} nested blocks): a loop over too large a list, or blocks nested too deep";

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

    /// <exception cref="Exception">Whatever the template throws for this event (a filter on a value it cannot take).</exception>
    /// <exception cref="TemplateBudgetException">The template ran past <see cref="MaxSteps"/> or <see cref="MaxNesting"/>.</exception>
    public string Render(JsonObject document)
    {
        var context = new TemplateContext(Options);
        foreach (var (key, value) in document)
            context.SetValue(key, ToModel(value));
        try
        {
            return _template.Render(context);
        }
        // Fluid throws this type, with one of two fixed sentences, for both budgets; no other failure says "The maximum".
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("The maximum", StringComparison.Ordinal))
        {
            throw new TemplateBudgetException(OverBudget, ex);
        }
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

/// <summary>A template that ran past its budget for one event (<see cref="LiquidTemplate.MaxSteps"/>).</summary>
public sealed class TemplateBudgetException(string message, Exception inner) : Exception(message, inner);
