using System.Text.Json.Serialization;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Novu;

namespace SegmentNovuWorker.Mapping;

/// <summary>What the worker does with an event, as mapping decides it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MappingVerdict>))]
public enum MappingVerdict
{
    /// <summary>Send <see cref="MappingResult.Triggers"/> to Novu.</summary>
    Trigger,

    /// <summary>Acknowledge it without a Novu call (counted, logged).</summary>
    Skip,

    /// <summary>Move it to <c>_error</c> with <see cref="MappingResult.Reason"/>.</summary>
    DeadLetter,
}

/// <summary>A rule that names the event, and whether it matched.</summary>
/// <param name="Why">"matched", or why not (the condition and the values it read).</param>
public sealed record RuleOutcome(string Rule, string Key, string Workflow, bool Matched, string Why);

/// <summary>The outcome of mapping one event: the verdict, why, and the Novu trigger bodies when there are any.</summary>
/// <param name="Reason">The reason class of a skip or dead letter: <c>unmapped-event</c>, <c>condition-not-met</c>, <c>missing-user-id</c>, <c>mapping-failed</c>.</param>
/// <param name="Why">In words, for logs, the dead letter and <c>segment-novu mapping test</c>.</param>
/// <param name="FailedRule">The rule whose template failed, for <c>mapping-failed</c>.</param>
public sealed record MappingResult(
    MappingVerdict Verdict,
    string? Reason,
    string Why,
    IReadOnlyList<RuleOutcome> Rules,
    IReadOnlyList<TriggerRequest> Triggers,
    string? FailedRule = null)
{
    public const string UnmappedEvent = FailureReasons.UnmappedEvent;
    public const string MissingUserId = FailureReasons.MissingUserId;
    public const string MappingFailed = FailureReasons.MappingFailed;

    /// <summary>A skip reason only (never a dead letter): rules name the event, and none of their conditions holds.</summary>
    public const string ConditionNotMet = "condition-not-met";
}
