using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Polly.Timeout;
using SegmentNovuWorker.Novu.Subscribers;
using SegmentNovuWorker.Novu.Triggers;

namespace SegmentNovuWorker.Novu;

/// <summary>
/// Typed client for the Novu calls the worker makes. It never retries: it turns every answer into success,
/// <see cref="NovuRetryableException"/> or <see cref="NovuRejectedException"/>, and MassTransit's retry and
/// redelivery policies decide what happens next. Subscriber upserts go through <see cref="SubscriberUpserts"/> when the
/// container has one (<see cref="NovuServiceCollectionExtensions.AddNovuClient"/>): it may carry them in a bulk call.
/// </summary>
public sealed class NovuClient(HttpClient http, SubscriberUpserts? upserts = null)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// Creates the subscriber or updates the fields given: <c>POST /v2/subscribers</c>, or, while the configuration budget
    /// binds, one entry of a <c>POST /v1/subscribers/bulk</c> (<see cref="SubscriberUpserts"/>). Either way it completes when
    /// Novu has answered for this subscriber, and fails with this subscriber's own outcome.
    /// </summary>
    public Task UpsertSubscriberAsync(SubscriberUpsert subscriber, string idempotencyKey, CancellationToken cancellationToken) =>
        upserts is null
            ? UpsertOneSubscriberAsync(subscriber, idempotencyKey, cancellationToken)
            : upserts.UpsertAsync(this, subscriber, idempotencyKey, cancellationToken);

    /// <summary><c>POST /v2/subscribers</c>, always a call of its own; <paramref name="sent"/> completes when the pacer lets it go.</summary>
    internal Task UpsertOneSubscriberAsync(SubscriberUpsert subscriber, string idempotencyKey, CancellationToken cancellationToken,
        TaskCompletionSource? sent = null) =>
        SendAsync<JsonNode>(HttpMethod.Post, "v2/subscribers", subscriber, idempotencyKey, "upsert subscriber", cancellationToken, sent);

    /// <summary>
    /// <c>POST /v1/subscribers/bulk</c> (1 to 500 subscribers, 100 configuration tokens): one outcome per subscriber, in the
    /// order given (<see cref="NovuFailureClassification.FromBulkAnswer"/>). A failure of the whole request (a 4xx of its
    /// validation, a 5xx, a timeout) throws as every call does. No <c>Idempotency-Key</c>: the next bulk never carries the
    /// same subscribers, so a key could never be replayed, and Novu would keep an error under it for 24 h; a repeated
    /// <c>$set</c> of the same fields is harmless.
    /// </summary>
    public async Task<IReadOnlyList<SubscriberUpsertOutcome>> UpsertSubscribersInBulkAsync(IReadOnlyList<SubscriberUpsert> subscribers,
        CancellationToken cancellationToken, TaskCompletionSource? sent = null)
    {
        var operation = $"bulk upsert of {subscribers.Count} subscribers";
        var answer = await SendAsync<BulkSubscribersAnswer>(HttpMethod.Post, "v1/subscribers/bulk", new BulkSubscriberUpsert(subscribers), null,
            operation, cancellationToken, sent);
        return NovuFailureClassification.FromBulkAnswer(operation, subscribers, answer);
    }

    /// <summary><c>POST /v1/events/trigger</c>: triggers a workflow; a non-<c>processed</c> status becomes an exception.</summary>
    public async Task<TriggerResult> TriggerAsync(TriggerRequest trigger, string idempotencyKey, CancellationToken cancellationToken)
    {
        var result = await SendAsync<TriggerResult>(HttpMethod.Post, "v1/events/trigger", trigger, idempotencyKey,
            $"trigger '{trigger.Name}'", cancellationToken);
        if (result is null)
            throw new NovuRetryableException("Novu answered the trigger without a data envelope", HttpStatusCode.Created, null, null);
        if (NovuFailureClassification.FromTriggerStatus(result) is { } failure)
            throw failure;
        return result;
    }

    /// <summary>
    /// <c>POST /v1/events/trigger/bulk</c> (1 to 100 triggers, a flat 100 trigger tokens whatever it carries): one outcome per
    /// trigger, in the order given (<see cref="NovuFailureClassification.FromBulkTriggerAnswer"/>), so one refused event fails
    /// only itself. It throws no <see cref="NovuException"/>: a failure of the whole request (no answer, a timeout, a 5xx, a
    /// 4xx of the request itself, the account refused) is each trigger's, a copy each, marked
    /// <see cref="TriggerOutcome.WholeRequest"/>, retryable when the request was. A 429 never gets here: the pacer waits it
    /// out and sends the call again. No <c>Idempotency-Key</c>: the next bulk never carries the same events, so a key could
    /// never be replayed, and Novu would keep an error under it for 24 h; each event's transactionId is what stops a second
    /// notification when a bulk whose answer was lost is sent again.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">No trigger, or more than Novu's 100.</exception>
    public async Task<IReadOnlyList<TriggerOutcome>> TriggerBulkAsync(IReadOnlyList<TriggerRequest> triggers, CancellationToken cancellationToken,
        TaskCompletionSource? sent = null)
    {
        if (triggers.Count is 0 or > TriggerBulkOptions.NovuMaxEvents)
            throw new ArgumentOutOfRangeException(nameof(triggers), triggers.Count, $"A bulk trigger carries 1 to {TriggerBulkOptions.NovuMaxEvents} events.");
        var operation = $"bulk trigger of {triggers.Count} events";
        IReadOnlyList<BulkTriggerEntry?>? answer;
        try
        {
            answer = await SendAsync<List<BulkTriggerEntry?>>(HttpMethod.Post, "v1/events/trigger/bulk", new BulkTriggerRequest(triggers), null,
                operation, cancellationToken, sent);
        }
        catch (NovuException ex)
        {
            return [.. triggers.Select(t => new TriggerOutcome(t, null, NovuFailureClassification.CopyFor(ex), WholeRequest: true))];
        }
        return NovuFailureClassification.FromBulkTriggerAnswer(operation, triggers, answer);
    }

    /// <summary><c>DELETE /v2/subscribers/{subscriberId}</c>: removes the subscriber and its topic subscriptions.</summary>
    public async Task DeleteSubscriberAsync(string subscriberId, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync<JsonNode>(HttpMethod.Delete, "v2/subscribers/" + Uri.EscapeDataString(subscriberId), null, null,
                "delete subscriber", cancellationToken);
        }
        catch (NovuException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone (never identified, or a redelivered deletion that went through): a GDPR deletion is
            // idempotent, and the subscriber not existing is exactly what was asked for.
        }
    }

    /// <summary><c>POST /v2/topics</c>: creates the topic, or renames it when <see cref="TopicUpsert.Name"/> is given.</summary>
    public Task UpsertTopicAsync(TopicUpsert topic, string idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync<JsonNode>(HttpMethod.Post, "v2/topics", topic, idempotencyKey, $"upsert topic '{topic.Key}'", cancellationToken);

    /// <summary>
    /// <c>POST /v2/topics/{topicKey}/subscriptions</c>: adds subscribers (at most 100) to a topic. Novu answers 2xx even when
    /// some could not be subscribed and lists them in <c>errors</c>; those become a <see cref="NovuException"/> (see
    /// <see cref="NovuFailureClassification.FromSubscriptionErrors"/>), so no membership is lost silently.
    /// </summary>
    public async Task AddTopicSubscriptionsAsync(string topicKey, TopicSubscriptions subscriptions, string idempotencyKey, CancellationToken cancellationToken)
    {
        var operation = $"subscribe to topic '{topicKey}'";
        var answer = await SendForBodyAsync<TopicSubscriptionsAnswer>(HttpMethod.Post, $"v2/topics/{Uri.EscapeDataString(topicKey)}/subscriptions",
            subscriptions, idempotencyKey, operation, cancellationToken);
        if (NovuFailureClassification.FromSubscriptionErrors(operation, answer) is { } failure)
            throw failure;
    }

    /// <summary>
    /// A read that only the account can fail: <c>GET /v2/subscribers/{probe}</c>. 404 (no such subscriber) means Novu
    /// accepts the key; throws <see cref="NovuAccountException"/> while it does not.
    /// </summary>
    public async Task ProbeAccountAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync<JsonNode>(HttpMethod.Get, "v2/subscribers/segment-novu-worker-account-probe", null, null, "account probe",
                cancellationToken);
        }
        catch (NovuRejectedException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            // The probe subscriber does not exist: the account does.
        }
    }

    async Task<T?> SendAsync<T>(HttpMethod method, string path, object? body, string? idempotencyKey, string operation,
        CancellationToken cancellationToken, TaskCompletionSource? sent = null)
    {
        var envelope = await SendForBodyAsync<NovuEnvelope<T>>(method, path, body, idempotencyKey, operation, cancellationToken, sent);
        return envelope is null ? default : envelope.Data;
    }

    /// <summary>Sends the request and reads the whole success body (most callers want only its <c>data</c>).</summary>
    async Task<T?> SendForBodyAsync<T>(HttpMethod method, string path, object? body, string? idempotencyKey, string operation,
        CancellationToken cancellationToken, TaskCompletionSource? sent = null)
        where T : class
    {
        using var request = new HttpRequestMessage(method, path);
        if (sent is not null)
            request.Options.Set(Pacing.NovuPacingHandler.SentSignal, sent);
        if (body is not null)
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        if (idempotencyKey is not null)
            request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader, idempotencyKey);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new NovuRetryableException($"Novu did not answer {operation} in time", null, null, null, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new NovuRetryableException($"Could not reach Novu for {operation}: {ex.Message}", null, null, null, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NovuRetryableException($"Novu did not answer {operation} in time", null, null, null, ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var message = await ReadErrorMessageAsync(response, cancellationToken);
                throw NovuFailureClassification.FromResponse(operation, response.StatusCode, RetryAfter(response), message);
            }

            if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0)
                return default;
            try
            {
                return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken);
            }
            catch (JsonException ex)
            {
                throw new NovuRetryableException($"Novu answered {operation} with a body that is not JSON: {ex.Message}",
                    response.StatusCode, null, null, ex);
            }
        }
    }

    static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };

    static async Task<string?> ReadErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (string.IsNullOrWhiteSpace(text))
                return response.ReasonPhrase;
            var error = JsonSerializer.Deserialize<NovuErrorBody>(text, Json);
            return error?.Message switch
            {
                JsonValue value when value.TryGetValue<string>(out var s) => s,
                JsonArray array => string.Join("; ", array.Select(m => m?.ToString())),
                null => response.ReasonPhrase,
                var other => other.ToJsonString(),
            };
        }
        catch (JsonException)
        {
            return response.ReasonPhrase;
        }
    }
}
