using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Worker.Mapping;

/// <summary>What to do with a track event whose name maps to no Novu workflow.</summary>
public enum UnmappedEventPolicy
{
    /// <summary>Count it, log it at debug, acknowledge it.</summary>
    Skip,

    /// <summary>Move it to the <c>_error</c> queue with reason <c>unmapped-event</c>.</summary>
    DeadLetter,
}

/// <summary>What to do with an event that has no <c>userId</c>.</summary>
public enum MissingUserIdPolicy
{
    /// <summary>Move it to the <c>_error</c> queue with reason <c>missing-user-id</c>.</summary>
    DeadLetter,

    /// <summary>Acknowledge it without calling Novu.</summary>
    Skip,

    /// <summary>Use the event's <c>anonymousId</c> as the Novu subscriberId.</summary>
    UseAnonymousId,
}

/// <summary>How Segment events map onto Novu: the mapping part of the <c>Novu</c> configuration section.</summary>
public sealed class WorkflowMappingOptions : IValidatableObject
{
    public const string Section = "Novu";

    /// <summary><c>Novu:Workflows</c>: Segment track event name → Novu workflow identifier (the seed's EVENT_TO_WORKFLOW_MAPPINGS).</summary>
    public Dictionary<string, string> Workflows { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>Novu:Pages</c>: Segment page name → Novu workflow identifier; a page with no mapped name is skipped.</summary>
    public Dictionary<string, string> Pages { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>Novu:Screens</c>: Segment screen name → Novu workflow identifier; a screen with no mapped name is skipped.</summary>
    public Dictionary<string, string> Screens { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// <c>Novu:GroupTopicKeyFormat</c>: the Novu topic key of a Segment group; <c>{groupId}</c> is replaced by the
    /// group's id.
    /// </summary>
    public string GroupTopicKeyFormat { get; set; } = "group-{groupId}";

    /// <summary><c>Novu:UnmappedEvents</c>: <c>Skip</c> (default) or <c>DeadLetter</c>.</summary>
    public UnmappedEventPolicy UnmappedEvents { get; set; } = UnmappedEventPolicy.Skip;

    /// <summary><c>Novu:MissingUserId</c>: <c>DeadLetter</c> (default), <c>Skip</c> or <c>UseAnonymousId</c>.</summary>
    public MissingUserIdPolicy MissingUserId { get; set; } = MissingUserIdPolicy.DeadLetter;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (section, map) in new[] { (nameof(Workflows), Workflows), (nameof(Pages), Pages), (nameof(Screens), Screens) })
        {
            foreach (var (name, workflow) in map)
            {
                if (string.IsNullOrWhiteSpace(workflow))
                    yield return new ValidationResult($"Novu:{section}:{name} must name a Novu workflow identifier.", [section]);
            }
        }
        if (!GroupTopicKeyFormat.Contains(GroupIdPlaceholder, StringComparison.Ordinal))
            yield return new ValidationResult($"Novu:GroupTopicKeyFormat must contain {GroupIdPlaceholder}.", [nameof(GroupTopicKeyFormat)]);
    }

    const string GroupIdPlaceholder = "{groupId}";

    /// <summary>The Novu topic key of a Segment group.</summary>
    public string TopicKeyFor(string groupId) => GroupTopicKeyFormat.Replace(GroupIdPlaceholder, groupId, StringComparison.Ordinal);

    /// <summary>The workflow mapped to a page name (case-insensitive), or null.</summary>
    public string? PageWorkflowFor(string? pageName) => pageName is null ? null : Pages.GetValueOrDefault(pageName);

    /// <summary>The workflow mapped to a screen name (case-insensitive), or null.</summary>
    public string? ScreenWorkflowFor(string? screenName) => screenName is null ? null : Screens.GetValueOrDefault(screenName);

    /// <summary>The workflow for a track event name; event names match without regard to case, as configuration keys do.</summary>
    public string? WorkflowFor(string eventName) => Workflows.GetValueOrDefault(eventName);
}
