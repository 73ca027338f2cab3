using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Worker.Failures;

namespace SegmentNovuWorker.Worker.Mapping;

/// <summary>A rule matched but could not be rendered for this event (a template failed on its data): reason <c>mapping-failed</c>, naming the rule.</summary>
public sealed class MappingFailedException(string rule, string why)
    : EventRejectedException(FailureReasons.MappingFailed, $"Mapping rule '{rule}' failed: {why}")
{
    public string Rule { get; } = rule;
}
