using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Mapping;

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

/// <summary>
/// The policies of the <c>Novu</c> configuration section. The workflow rules themselves (<c>Novu:Workflows</c>,
/// <c>Novu:Pages</c>, <c>Novu:Screens</c>) are not bound here: <see cref="MappingLoader"/> compiles them, because
/// binding cannot read an event name containing ':' and cannot keep the last good mapping on a bad reload.
/// </summary>
public sealed class WorkflowMappingOptions : IValidatableObject
{
    public const string Section = "Novu";

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
        if (!GroupTopicKeyFormat.Contains(GroupIdPlaceholder, StringComparison.Ordinal))
            yield return new ValidationResult($"Novu:GroupTopicKeyFormat must contain {GroupIdPlaceholder}.", [nameof(GroupTopicKeyFormat)]);
    }

    const string GroupIdPlaceholder = "{groupId}";

    /// <summary>The Novu topic key of a Segment group.</summary>
    public string TopicKeyFor(string groupId) => GroupTopicKeyFormat.Replace(GroupIdPlaceholder, groupId, StringComparison.Ordinal);
}
