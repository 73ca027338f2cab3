using System.Text.Json.Nodes;

namespace SegmentNovuWorker.Novu;

/// <summary>Body of <c>POST /v2/subscribers</c> (an upsert). Null fields are left out so they do not erase Novu's values.</summary>
public sealed record SubscriberUpsert(
    string SubscriberId,
    string? FirstName = null,
    string? LastName = null,
    string? Email = null,
    string? Phone = null,
    string? Avatar = null,
    string? Locale = null,
    string? Timezone = null,
    JsonObject? Data = null);

/// <summary>Body of <c>POST /v1/events/trigger</c>; null members are left out.</summary>
/// <param name="To">One subscriber: <c>{"subscriberId", …}</c>, with inline fields (email, firstName…) Novu upserts first.</param>
/// <param name="Actor">A subscriberId or a subscriber object.</param>
/// <param name="Tenant">A tenant identifier or <c>{"identifier", "name"?, "data"?}</c>.</param>
public sealed record TriggerRequest(
    string Name,
    JsonObject To,
    JsonObject Payload,
    string TransactionId,
    JsonObject? Overrides = null,
    JsonNode? Actor = null,
    JsonNode? Tenant = null);

/// <summary>The <c>data</c> of a trigger answer.</summary>
public sealed record TriggerResult(bool Acknowledged, string Status, string? TransactionId);

/// <summary>Body of <c>POST /v2/topics</c> (an upsert); a null name leaves Novu's as it is.</summary>
public sealed record TopicUpsert(string Key, string? Name = null);

/// <summary>Body of <c>POST /v2/topics/{topicKey}/subscriptions</c>: at most 100 subscriberIds.</summary>
public sealed record TopicSubscriptions(IReadOnlyList<string> Subscriptions);

/// <summary>
/// The answer to <c>POST /v2/topics/{topicKey}/subscriptions</c>: a 2xx whose <c>errors</c> list the subscribers that
/// could not be subscribed (for example <c>SUBSCRIBER_NOT_FOUND</c>); <c>meta</c> counts them.
/// </summary>
public sealed record TopicSubscriptionsAnswer(JsonNode? Data, TopicSubscriptionsMeta? Meta, IReadOnlyList<TopicSubscriptionError>? Errors);

/// <summary>The <c>meta</c> of a topic-subscription answer.</summary>
public sealed record TopicSubscriptionsMeta(int TotalCount, int Successful, int Failed);

/// <summary>One subscriber a topic-subscription call could not subscribe, and why.</summary>
public sealed record TopicSubscriptionError(string? SubscriberId, string? Code, string? Message);

/// <summary>Novu's error body: <c>{statusCode, timestamp, path, message, ctx?, errorId?}</c>.</summary>
public sealed record NovuErrorBody(int StatusCode, string? Path, JsonNode? Message, string? ErrorId);

/// <summary>Novu wraps every success body as <c>{"data": …}</c>.</summary>
public sealed record NovuEnvelope<T>(T Data);

/// <summary>Body of <c>POST /v1/subscribers/bulk</c>: 1 to 500 subscribers, each upserted with the fields sent.</summary>
public sealed record BulkSubscriberUpsert(IReadOnlyList<SubscriberUpsert> Subscribers);

/// <summary>The <c>data</c> of a bulk upsert answer: which subscribers Novu created, updated, or failed to write.</summary>
public sealed record BulkSubscribersAnswer(
    IReadOnlyList<BulkSubscriberRef>? Created,
    IReadOnlyList<BulkSubscriberRef>? Updated,
    IReadOnlyList<BulkSubscriberFailure>? Failed);

/// <summary>One subscriber of a bulk answer's <c>created</c> or <c>updated</c> list.</summary>
public sealed record BulkSubscriberRef(string? SubscriberId);

/// <summary>
/// One entry of a bulk answer's <c>failed</c> list: the database's write error. Novu takes the id from the failed write's
/// operation, where an upsert does not always carry it, so <see cref="SubscriberId"/> may be missing.
/// </summary>
public sealed record BulkSubscriberFailure(string? Message, string? SubscriberId);

/// <summary>What a bulk upsert did with one subscriber: <see cref="Failure"/> is null when Novu wrote it.</summary>
public sealed record SubscriberUpsertOutcome(string SubscriberId, NovuException? Failure)
{
    public bool Written => Failure is null;
}

/// <summary>Body of <c>POST /v1/events/trigger/bulk</c>: 1 to 100 triggers, each as the single trigger's body.</summary>
public sealed record BulkTriggerRequest(IReadOnlyList<TriggerRequest> Events);

/// <summary>
/// One entry of a bulk trigger answer (its <c>data</c> is an array of these, in the order of the events sent): the single
/// trigger's answer, or, for an event Novu refused, <c>status</c> <c>error</c> with Novu's messages in <c>error</c> (an
/// array of strings) and no <c>transactionId</c>.
/// </summary>
public sealed record BulkTriggerEntry(bool Acknowledged, string? Status, JsonNode? Error, string? TransactionId);

/// <summary>What a bulk trigger did with one event: <see cref="Result"/> when Novu processed it, else <see cref="Failure"/>.</summary>
/// <param name="WholeRequest">
/// The failure is the whole request's (no answer, a 5xx, a 4xx of the request itself), copied to every event of it:
/// nothing tells what became of this event, and each may be sent again (its transactionId stops a second notification).
/// </param>
public sealed record TriggerOutcome(TriggerRequest Trigger, TriggerResult? Result, NovuException? Failure, bool WholeRequest = false)
{
    public bool Triggered => Failure is null;
}
