using SegmentNovuWorker.Messaging.DeliveryLog;

namespace SegmentNovuWorker.Operations.DeliveryLog;

/// <summary>
/// Which events' steps to show. Every field narrows; an event matches by what any of its steps says (a dead letter's step
/// carries no event name, its track's attempt does), and then all its steps in the time range are shown, newest first.
/// </summary>
/// <param name="User">A userId or anonymousId.</param>
/// <param name="Outcome">A step the event went through: <c>delivered</c>, <c>skipped</c>, <c>parked</c>, <c>dead-lettered</c>, <c>replayed</c>, …</param>
/// <param name="Since">Steps at or after this time.</param>
/// <param name="Until">Steps before this time.</param>
/// <param name="Limit">At most this many steps (1–1000).</param>
public sealed record DeliveryLogFilter(
    string? User = null,
    string? MessageId = null,
    string? Event = null,
    string? Workflow = null,
    string? Outcome = null,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    int Limit = 100)
{
    public const int MaxLimit = 1000;

    public int BoundedLimit => Math.Clamp(Limit, 1, MaxLimit);

    /// <summary>What every step of one event says about it, together.</summary>
    public sealed record EventFacts(string MessageId, HashSet<string> Users, HashSet<string> Events, HashSet<string> Workflows, HashSet<string> Steps)
    {
        public static EventFacts Of(string messageId) => new(messageId, new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal));

        public void Add(DeliveryStep step)
        {
            foreach (var user in new[] { step.UserKey, step.UserId, step.AnonymousId }.OfType<string>())
                Users.Add(user);
            if (step.Event is { } e)
                Events.Add(e);
            if (step.Workflow is { } w)
                Workflows.Add(w);
            Steps.Add(step.Step);
        }
    }

    public bool Matches(EventFacts facts) =>
        (User is null || facts.Users.Contains(User))
        && (MessageId is null || facts.MessageId == MessageId)
        && (Event is null || facts.Events.Contains(Event))
        && (Workflow is null || facts.Workflows.Contains(Workflow))
        && (Outcome is null || facts.Steps.Contains(Outcome));

    public bool InRange(DeliveryStep step) => (Since is null || step.At >= Since) && (Until is null || step.At < Until);

    /// <summary>The matching steps of <paramref name="steps"/> (in stream order), newest first: a scan of the stream, without the admin's index.</summary>
    public IReadOnlyList<DeliveryStep> Apply(IEnumerable<DeliveryStep> steps)
    {
        var all = steps.Where(s => s.Step != DeliverySteps.Marker).ToList();
        var facts = new Dictionary<string, EventFacts>(StringComparer.Ordinal);
        foreach (var step in all)
        {
            if (!facts.TryGetValue(step.MessageId, out var known))
                facts[step.MessageId] = known = EventFacts.Of(step.MessageId);
            known.Add(step);
        }
        // Steps of the same moment: the later in the stream first, as the admin's index orders them.
        return [.. all.Select((step, position) => (Step: step, Position: position))
            .Where(s => InRange(s.Step) && Matches(facts[s.Step.MessageId]))
            .OrderByDescending(s => s.Step.At).ThenByDescending(s => s.Position).Take(BoundedLimit).Select(s => s.Step)];
    }
}

/// <summary>An answer to a search of the delivery log.</summary>
/// <param name="Steps">Newest first.</param>
/// <param name="IndexedThrough">The newest step the index (or the scan) has read: later steps are not in the answer yet.</param>
public sealed record DeliveryLogPage(IReadOnlyList<DeliveryStep> Steps, DateTimeOffset? IndexedThrough);
