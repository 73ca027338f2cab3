using System.Text.Json.Nodes;

namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>A notification the stand-in actually "sent": one per distinct transactionId, like Novu.</summary>
public sealed record Notification(string Workflow, string To, JsonNode? Payload, string TransactionId, DateTimeOffset At)
{
    /// <summary>
    /// Every subscriber the trigger reached, with the email it had at that moment: the address an email step
    /// would have used. A topic contributes its subscribers at the time of the trigger.
    /// </summary>
    public IReadOnlyList<ReachedSubscriber> Recipients { get; init; } = [];

    /// <summary>
    /// Whether an email step would have found an address for everyone it reached. Novu answers "processed"
    /// either way, so this is the only place a trigger that raced ahead of its identify shows.
    /// </summary>
    public bool SubscriberHadEmail => Recipients.Count > 0 && Recipients.All(r => r.Email is not null);

    /// <summary>The email of the one subscriber reached, or null (none, or several: read <see cref="Recipients"/>).</summary>
    public string? SubscriberEmail => Recipients is [var only] ? only.Email : null;
}

/// <summary>A subscriber a trigger reached and the email it had then (null: none).</summary>
public sealed record ReachedSubscriber(string SubscriberId, string? Email);
