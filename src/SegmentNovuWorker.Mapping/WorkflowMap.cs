using System.Text.Json.Nodes;
using SegmentNovuWorker.Novu;

namespace SegmentNovuWorker.Mapping;

/// <summary>
/// The compiled mapping: every rule of <c>Novu:Workflows</c>, <c>Novu:Pages</c> and <c>Novu:Screens</c>, and the
/// policies for events no rule takes. Immutable: a reload builds a new one (see <see cref="MappingLoader"/>).
/// </summary>
public sealed class WorkflowMap(IReadOnlyList<MappingRule> rules, UnmappedEventPolicy unmappedEvents, MissingUserIdPolicy missingUserId)
{
    public IReadOnlyList<MappingRule> Rules { get; } = rules;
    public UnmappedEventPolicy UnmappedEvents { get; } = unmappedEvents;
    public MissingUserIdPolicy MissingUserId { get; } = missingUserId;

    /// <summary>For the operator, at start: nothing maps, so nothing will be triggered.</summary>
    public string? EmptyWarning => Rules.Count > 0 ? null
        : "No Novu workflow is mapped: Novu:Workflows, Novu:Pages and Novu:Screens are all empty, so no track, page or screen will "
          + (UnmappedEvents == UnmappedEventPolicy.Skip
              ? "notify anyone; every track is skipped (Novu:UnmappedEvents is Skip)."
              : "notify anyone; every track is dead-lettered as unmapped-event (Novu:UnmappedEvents is DeadLetter).")
          + " Map an event, e.g. Novu:Workflows:0:Event=\"Order Completed\" and Novu:Workflows:0:Workflow=order-receipt.";

    /// <summary>A one-line description, for the log line of a load or reload.</summary>
    public string Summary =>
        $"{Rules.Count(r => r.Call == MappedCall.Track)} track, {Rules.Count(r => r.Call == MappedCall.Page)} page and "
        + $"{Rules.Count(r => r.Call == MappedCall.Screen)} screen rule(s)";

    /// <summary>What the worker does with this event: the one decision the worker, <c>segment-novu mapping test</c> and the admin API share.</summary>
    public MappingResult Map(MappingEvent e)
    {
        var candidates = Rules.Where(r => r.Call == e.Call && e.Name is not null
            && string.Equals(r.EventName, e.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        var section = e.Call switch { MappedCall.Track => "Novu:Workflows", MappedCall.Page => "Novu:Pages", _ => "Novu:Screens" };
        if (candidates.Count == 0)
        {
            var why = e.Name is null
                ? $"the {e.Type} has no name, so no rule of {section} can take it"
                : $"no rule in {section} takes {e.Type} '{e.Name}'";
            return e.Call == MappedCall.Track && UnmappedEvents == UnmappedEventPolicy.DeadLetter
                ? new MappingResult(MappingVerdict.DeadLetter, MappingResult.UnmappedEvent, why + " (Novu:UnmappedEvents is DeadLetter)", [], [])
                : new MappingResult(MappingVerdict.Skip, MappingResult.UnmappedEvent, why, [], []);
        }

        var outcomes = candidates.Select(r => Consider(r, e.Document)).ToList();
        var matched = candidates.Where((_, i) => outcomes[i].Matched).ToList();
        if (matched.Count == 0)
            return new MappingResult(MappingVerdict.Skip, MappingResult.ConditionNotMet, $"no condition of the {candidates.Count} rule(s) for {e.Type} '{e.Name}' holds", outcomes, []);

        var triggers = new List<TriggerRequest>();
        foreach (var rule in matched)
        {
            string? subscriberId;
            try
            {
                subscriberId = rule.SubscriberId is null ? e.UserId : Text(rule.SubscriberId.Render(e.Document));
            }
            catch (TemplateFailedException ex)
            {
                return Failed(rule, ex, outcomes);
            }
            if (string.IsNullOrEmpty(subscriberId))
            {
                var missing = rule.SubscriberId is null ? "the event has no userId" : $"{rule.Key}:To:subscriberId resolves to nothing";
                switch (MissingUserId)
                {
                    case MissingUserIdPolicy.Skip:
                        return new MappingResult(MappingVerdict.Skip, MappingResult.MissingUserId, missing + " (Novu:MissingUserId is Skip)", outcomes, []);
                    case MissingUserIdPolicy.UseAnonymousId when !string.IsNullOrEmpty(e.AnonymousId):
                        subscriberId = e.AnonymousId;
                        break;
                    case MissingUserIdPolicy.UseAnonymousId:
                        return new MappingResult(MappingVerdict.DeadLetter, MappingResult.MissingUserId, missing + " and no anonymousId", outcomes, []);
                    default:
                        return new MappingResult(MappingVerdict.DeadLetter, MappingResult.MissingUserId, missing + " (Novu:MissingUserId is DeadLetter)", outcomes, []);
                }
            }
            try
            {
                triggers.Add(rule.Render(e, subscriberId));
            }
            catch (TemplateFailedException ex)
            {
                return Failed(rule, ex, outcomes);
            }
        }
        return new MappingResult(MappingVerdict.Trigger, null,
            $"{triggers.Count} rule(s) matched: {string.Join(", ", matched.Select(r => $"'{r.Name}' → {r.Workflow}"))}", outcomes, triggers);
    }

    static MappingResult Failed(MappingRule rule, TemplateFailedException ex, List<RuleOutcome> outcomes) =>
        new(MappingVerdict.DeadLetter, MappingResult.MappingFailed, $"rule '{rule.Name}' ({rule.Key}): {ex.Message}", outcomes, [], rule.Name);

    static RuleOutcome Consider(MappingRule rule, JsonObject document)
    {
        if (rule.When is null || rule.When.IsTrue(document))
            return new RuleOutcome(rule.Name, rule.Key, rule.Workflow, true, rule.When is null ? "matched" : $"matched: {rule.When.Text}");
        var values = rule.When.Paths.DistinctBy(p => p.Text)
            .Select(p => $"{p.Text} = {(p.Resolve(document) is { } v ? v.ToJsonString() : "(missing)")}");
        return new RuleOutcome(rule.Name, rule.Key, rule.Workflow, false, $"condition false: {rule.When.Text} ({string.Join(", ", values)})");
    }

    static string? Text(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() is System.Text.Json.JsonValueKind.String or System.Text.Json.JsonValueKind.Number => v.ToString(),
        _ => null,
    };
}
