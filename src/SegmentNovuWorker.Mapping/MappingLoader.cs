using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace SegmentNovuWorker.Mapping;

/// <summary>A compiled mapping, or every reason it could not be compiled (each naming its configuration key).</summary>
public sealed record MappingLoad(WorkflowMap? Map, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Map is not null;
}

/// <summary>
/// Reads and checks the rules of the <c>Novu</c> section. Two forms, both in any configuration source:
/// <list type="bullet">
/// <item>today's: <c>Novu:Workflows:{event}=workflow</c> (and <c>Novu:Pages:{name}</c>, <c>Novu:Screens:{name}</c>);</item>
/// <item>a list of rules: <c>Novu:Workflows:0:Event</c>, <c>:Workflow</c>, <c>:When</c>, <c>:Payload</c>, <c>:To</c>,
/// <c>:Overrides</c>, <c>:Actor</c>, <c>:Tenant</c>, <c>:Name</c> (pages: <c>:Page</c>, screens: <c>:Screen</c>), which takes
/// any event name, ':' included.</item>
/// </list>
/// Everything is checked: paths parse, templates compile, conditions parse, workflow identifiers are well-formed,
/// no key is unknown (a misspelt key would otherwise drop its rule's meaning silently).
/// </summary>
public static partial class MappingLoader
{
    static readonly (string Section, MappedCall Call, string NameKey)[] Sections =
    [
        ("Workflows", MappedCall.Track, "Event"),
        ("Pages", MappedCall.Page, "Page"),
        ("Screens", MappedCall.Screen, "Screen"),
    ];

    static readonly string[] RuleKeys = ["Name", "When", "Workflow", "Payload", "To", "Overrides", "Actor", "Tenant"];

    /// <summary>Novu's subscriber fields, as a trigger's inline <c>to</c> takes them.</summary>
    static readonly string[] SubscriberFields = ["subscriberId", "firstName", "lastName", "email", "phone", "avatar", "locale", "timezone", "data"];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex WorkflowIdentifier();

    /// <param name="novu">The <c>Novu</c> section (or any section shaped like it).</param>
    public static MappingLoad Load(IConfigurationSection novu)
    {
        var errors = new List<string>();
        var rules = new List<MappingRule>();
        foreach (var (section, call, nameKey) in Sections)
        {
            foreach (var child in novu.GetSection(section).GetChildren())
            {
                if (child.Value is { } workflow)
                    AddSimple(rules, errors, child, call, workflow);
                else if (child.GetChildren().Any())
                    AddRule(rules, errors, child, call, nameKey);
                // else: a key set to null by a later source (Novu__Workflows__X= in some shells), which removes the entry.
            }
        }

        foreach (var clash in rules.GroupBy(r => (r.Call, Event: r.EventName.ToUpperInvariant(), Name: r.Name.ToUpperInvariant())).Where(g => g.Count() > 1))
        {
            errors.Add($"{string.Join(" and ", clash.Select(r => r.Key))} are rules for {clash.Key.Call.ToString().ToLowerInvariant()} '{clash.First().EventName}' "
                + $"both named '{clash.First().Name}' (a rule's name is its workflow unless it has a Name): give each its own Name, so each keeps its own transactionId.");
        }

        var unmapped = Policy(novu, "UnmappedEvents", UnmappedEventPolicy.Skip, errors);
        var missingUserId = Policy(novu, "MissingUserId", MissingUserIdPolicy.DeadLetter, errors);
        return errors.Count > 0 ? new MappingLoad(null, errors) : new MappingLoad(new WorkflowMap(rules, unmapped, missingUserId), []);
    }

    static void AddSimple(List<MappingRule> rules, List<string> errors, IConfigurationSection entry, MappedCall call, string workflow)
    {
        if (string.IsNullOrWhiteSpace(workflow))
        {
            errors.Add($"{entry.Path} must name a Novu workflow identifier.");
            return;
        }
        if (CheckWorkflow(entry.Path, workflow.Trim(), errors))
            rules.Add(new MappingRule(workflow.Trim(), entry.Path, call, entry.Key, workflow.Trim(), KeepsMessageId: true));
    }

    static void AddRule(List<MappingRule> rules, List<string> errors, IConfigurationSection entry, MappedCall call, string nameKey)
    {
        var before = errors.Count;
        foreach (var key in entry.GetChildren().Select(c => c.Key))
        {
            if (!RuleKeys.Contains(key, StringComparer.OrdinalIgnoreCase) && !key.Equals(nameKey, StringComparison.OrdinalIgnoreCase))
                errors.Add($"{entry.Path}:{key} is not a rule key; a rule takes {nameKey}, {string.Join(", ", RuleKeys)}.");
        }

        // A list entry (key 0, 1…) names its event with Event/Page/Screen; an object keyed by the event name may leave it out.
        var eventName = entry[nameKey] ?? (int.TryParse(entry.Key, out _) ? null : entry.Key);
        if (string.IsNullOrWhiteSpace(eventName))
            errors.Add($"{entry.Path}:{nameKey} must name the Segment {call.ToString().ToLowerInvariant()} the rule takes.");

        var workflow = entry["Workflow"]?.Trim();
        if (string.IsNullOrEmpty(workflow))
            errors.Add($"{entry.Path}:Workflow must name a Novu workflow identifier.");
        else
            CheckWorkflow($"{entry.Path}:Workflow", workflow, errors);

        Condition? when = null;
        if (entry.GetSection("When") is { Value: { } whenText } whenSection)
        {
            try
            {
                when = Condition.Parse(whenText);
            }
            catch (FormatException ex)
            {
                errors.Add($"{whenSection.Path}: {ex.Message}");
            }
        }

        var payload = Optional(entry, "Payload", errors);
        var (subscriberId, to) = Recipient(entry.GetSection("To"), errors);
        var overrides = Optional(entry, "Overrides", errors);
        var actor = Optional(entry, "Actor", errors);
        var tenant = Optional(entry, "Tenant", errors);

        if (errors.Count > before)
            return;
        var name = entry["Name"]?.Trim() is { Length: > 0 } n ? n : workflow!;
        rules.Add(new MappingRule(name, entry.Path, call, eventName!, workflow!, KeepsMessageId: false,
            when, payload, subscriberId, to, overrides, actor, tenant));
    }

    static MappedValue? Optional(IConfigurationSection entry, string key, List<string> errors)
    {
        var section = entry.GetSection(key);
        return section.Exists() ? MappedValue.From(section, errors) : null;
    }

    /// <summary><c>To</c>: a value for the subscriberId, or an object of Novu subscriber fields.</summary>
    static (MappedValue? SubscriberId, MappedValue.ObjectValue? Fields) Recipient(IConfigurationSection to, List<string> errors)
    {
        if (!to.Exists())
            return (null, null);
        if (to.Value is not null || to.GetChildren().Any(c => c.Key.StartsWith('@')))
            return (MappedValue.From(to, errors), null);

        MappedValue? subscriberId = null;
        var fields = new List<KeyValuePair<string, MappedValue>>();
        foreach (var child in to.GetChildren())
        {
            var field = SubscriberFields.FirstOrDefault(f => f.Equals(child.Key, StringComparison.OrdinalIgnoreCase));
            if (field is null)
            {
                errors.Add($"{child.Path} is not a Novu subscriber field; use {string.Join(", ", SubscriberFields)}.");
                continue;
            }
            if (MappedValue.From(child, errors) is not { } value)
                continue;
            if (field == "subscriberId")
                subscriberId = value;
            else
                fields.Add(new(field, value));
        }
        return (subscriberId, fields.Count > 0 ? new MappedValue.ObjectValue(fields) : null);
    }

    static bool CheckWorkflow(string key, string workflow, List<string> errors)
    {
        if (WorkflowIdentifier().IsMatch(workflow))
            return true;
        errors.Add($"{key}: '{workflow}' is not a Novu workflow identifier (letters, digits, '-', '_', '.'; at most 128).");
        return false;
    }

    static T Policy<T>(IConfigurationSection novu, string key, T fallback, List<string> errors) where T : struct, Enum
    {
        var text = novu[key];
        if (string.IsNullOrWhiteSpace(text))
            return fallback;
        if (Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value))
            return value;
        errors.Add($"{novu.Path}:{key}: '{text}' is not one of {string.Join(", ", Enum.GetNames<T>())}.");
        return fallback;
    }
}
