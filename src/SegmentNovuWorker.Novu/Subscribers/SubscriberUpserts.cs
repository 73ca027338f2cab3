using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Novu.Pacing;

namespace SegmentNovuWorker.Novu.Subscribers;

/// <summary>
/// Carries subscriber upserts to Novu one after another, in the order callers asked, and gathers them into one
/// <c>POST /v1/subscribers/bulk</c> when enough wait for the configuration budget. One per process (every
/// <see cref="NovuClient"/> of the worker goes through it).
/// <para>
/// Each upsert waits in a queue here, not in the pacer, so that waiting ones can still be gathered. The next one is let
/// go only when the previous has left the pacer's queue (its token came: <see cref="NovuPacingHandler.SentSignal"/>): while
/// the bucket has tokens that is at once and every upsert is a single call, as before; when it is empty, upserts pile up
/// here. Once <see cref="SubscriberBulkOptions.MinBatch"/> wait, and Novu's bucket is big enough for a bulk call at all
/// (its size known from Novu's headers and at least 100: never for a Novu that sends none), the next call is a bulk:
/// 100 tokens for what would have cost one each. Its members are chosen only when the bucket can pay for it
/// (<see cref="CategoryPacer.WhenAffordableAsync"/>: nothing queued ahead in the pacer, the estimate holds the 100 tokens
/// and the reserve); until then every upsert that arrives keeps gathering, and the bulk takes up to
/// <see cref="SubscriberBulkOptions.MaxBatch"/> of different subscribers, oldest first. Chosen at the first 101, a bulk
/// waited ~5 s in the pacer on the free plan while the next ones gathered behind it, and calls alternated ~101 and ~399
/// (a worker holding 500 deliveries drained 49 subscribers/s instead of 100). Should cancelled callers leave fewer than
/// MinBatch during that wait, or fewer than MinBatch differ, the oldest goes alone. A subscriber the bulk rules refuse
/// (<see cref="BulkSubscriberRules"/>) never waits here: it goes on its own at once, as before.
/// </para>
/// <para>
/// Every caller gets its own subscriber's outcome: written, or that subscriber's failure
/// (<see cref="NovuFailureClassification.FromBulkAnswer"/>). A bulk request refused as a whole (a 4xx) is sent again as
/// single upserts, each with its caller's key; a retryable failure of the request (5xx, timeout) or an account refusal
/// fails every caller in it the same way, so each event is retried by the consumer's own policy. A caller's cancellation
/// ends its wait at once; a bulk already sent goes on for the others.
/// </para>
/// <para>
/// Written by hand: a batching channel (System.Threading.Channels, a TPL BatchBlock) batches by count or time, but the
/// decision here is about the budget at the moment a call may go, and each caller needs its own outcome and cancellation.
/// </para>
/// </summary>
public sealed class SubscriberUpserts : IDisposable
{
    readonly SubscriberBulkOptions _options;
    readonly CategoryPacer _pacer;
    readonly NovuMetrics _metrics;
    readonly ILogger<SubscriberUpserts> _logger;
    readonly Lock _gate = new();
    readonly LinkedList<Pending> _queue = new();
    readonly CancellationTokenSource _stopping = new();
    bool _pumping;
    CancellationTokenSource? _watch; // while the pump waits for the bulk's budget

    public SubscriberUpserts(IOptions<SubscriberBulkOptions> options, NovuPacer pacer, NovuMetrics metrics, ILogger<SubscriberUpserts> logger)
    {
        _options = options.Value;
        _pacer = pacer.For(NovuRateCategory.Configuration);
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Upserts <paramref name="subscriber"/> through <paramref name="client"/>: alone or in a bulk call; completes with its own outcome.</summary>
    public async Task UpsertAsync(NovuClient client, SubscriberUpsert subscriber, string idempotencyKey, CancellationToken cancellationToken)
    {
        if (!_options.Enabled || BulkSubscriberRules.WhyNotBulk(subscriber) is not null)
        {
            await client.UpsertOneSubscriberAsync(subscriber, idempotencyKey, cancellationToken);
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Pending(client, subscriber, idempotencyKey, cancellationToken);
        bool start;
        lock (_gate)
        {
            pending.Node = _queue.AddLast(pending);
            start = !_pumping;
            _pumping = true;
        }
        if (start)
            _ = Task.Run(PumpAsync);
        await using (cancellationToken.Register(() => Cancel(pending)))
            await pending.Done.Task;
    }

    /// <summary>Upserts still waiting here for their turn (for the specs and the pace snapshot).</summary>
    public int Waiting { get { lock (_gate) return _queue.Count; } }

    async Task PumpAsync()
    {
        while (true)
        {
            CancellationTokenSource? watch = null;
            lock (_gate)
            {
                if (_queue.Count == 0 || _stopping.IsCancellationRequested)
                {
                    _pumping = false;
                    return;
                }
                if (_queue.Count >= _options.MinBatch && _pacer.CanEverPay(NovuRateCategories.BulkCost))
                    _watch = watch = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            }

            var bulkAffordable = false;
            if (watch is not null)
            {
                // Enough wait for a bulk: its members are chosen when the bucket can pay for it, not before. Until then
                // every upsert that arrives joins the queue, and the bulk carries up to MaxBatch of them.
                try
                {
                    await _pacer.WhenAffordableAsync(NovuRateCategories.BulkCost, watch.Token);
                    bulkAffordable = true;
                }
                catch (OperationCanceledException)
                {
                    // Stopping (the check below ends the pump), or cancelled callers left fewer than MinBatch: the oldest goes alone.
                }
                finally
                {
                    lock (_gate)
                    {
                        _watch = null;
                        watch.Dispose();
                    }
                }
            }

            List<Pending>? batch = null;
            Pending? single = null;
            lock (_gate)
            {
                if (_queue.Count == 0 || _stopping.IsCancellationRequested)
                {
                    _pumping = false;
                    return;
                }
                if (bulkAffordable && _queue.Count >= _options.MinBatch)
                    batch = TakeBatch();
                if (batch is null)
                {
                    // No bulk: fewer than MinBatch (different subscribers) wait, or no bulk can ever be paid.
                    single = _queue.First!.Value;
                    Take(single);
                }
            }

            var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var call = batch is not null ? SendBulkAsync(batch, sent) : SendOneAsync(single!, sent);
            try
            {
                // The next decision waits until this call has its token: until then the ones behind it keep gathering.
                await Task.WhenAny(sent.Task, call).WaitAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                    _pumping = false;
                return;
            }
        }
    }

    /// <summary>Up to MaxBatch waiting upserts of different subscribers, oldest first; null when fewer than MinBatch differ.</summary>
    List<Pending>? TakeBatch()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var batch = new List<Pending>();
        for (var node = _queue.First; node is not null && batch.Count < _options.MaxBatch; node = node.Next)
        {
            // One entry per subscriber: a second upsert of the same id (its user's lanes make it rare) waits for the next call.
            if (ids.Add(node.Value.Subscriber.SubscriberId))
                batch.Add(node.Value);
        }
        if (batch.Count < _options.MinBatch)
            return null;
        foreach (var pending in batch)
            Take(pending);
        return batch;
    }

    void Take(Pending pending)
    {
        _queue.Remove(pending.Node!);
        pending.Node = null;
    }

    void Cancel(Pending pending)
    {
        lock (_gate)
        {
            if (pending.Node is not null)
                Take(pending);
            // Too few left for a bulk: stop waiting for its budget, the pump decides again (single upserts).
            if (_watch is not null && _queue.Count < _options.MinBatch)
                _watch.Cancel();
        }
        pending.Done.TrySetCanceled(pending.CancellationToken);
    }

    static async Task SendOneAsync(Pending pending, TaskCompletionSource sent)
    {
        try
        {
            await pending.Client.UpsertOneSubscriberAsync(pending.Subscriber, pending.IdempotencyKey, pending.CancellationToken, sent);
            pending.Done.TrySetResult();
        }
        catch (OperationCanceledException) when (pending.CancellationToken.IsCancellationRequested)
        {
            pending.Done.TrySetCanceled(pending.CancellationToken);
        }
        catch (Exception ex)
        {
            pending.Done.TrySetException(ex);
        }
        finally
        {
            sent.TrySetResult();
        }
    }

    async Task SendBulkAsync(List<Pending> batch, TaskCompletionSource sent)
    {
        IReadOnlyList<SubscriberUpsertOutcome> outcomes;
        try
        {
            outcomes = await batch[0].Client.UpsertSubscribersInBulkAsync([.. batch.Select(p => p.Subscriber)], _stopping.Token, sent);
        }
        catch (NovuRejectedException ex)
        {
            // Refused as a whole (its validation, or a database failure Novu answers 4xx): nothing was written. Each goes
            // again on its own, under its own key, and gets Novu's answer for itself.
            _metrics.SubscriberBulk(batch.Count, "rejected");
            _logger.LogWarning("Novu refused a bulk upsert of {Count} subscribers ({NovuMessage}); sending them one by one", batch.Count, ex.NovuMessage);
            foreach (var pending in batch)
                _ = SendOneAsync(pending, new TaskCompletionSource());
            return;
        }
        catch (NovuException ex)
        {
            _metrics.SubscriberBulk(batch.Count, ex is NovuAccountException ? "account" : "retryable");
            foreach (var pending in batch)
                pending.Done.TrySetException(NovuFailureClassification.CopyFor(ex));
            return;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            foreach (var pending in batch)
                pending.Done.TrySetCanceled(_stopping.Token);
            return;
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
                pending.Done.TrySetException(new NovuRetryableException($"The bulk upsert failed unexpectedly: {ex.Message}", null, null, null, ex));
            return;
        }
        finally
        {
            sent.TrySetResult();
        }

        _metrics.SubscriberBulk(batch.Count, "answered");
        var byId = outcomes.ToDictionary(o => o.SubscriberId, StringComparer.Ordinal);
        foreach (var pending in batch)
        {
            if (byId[pending.Subscriber.SubscriberId].Failure is { } failure)
                pending.Done.TrySetException(failure);
            else
                pending.Done.TrySetResult();
        }
        _logger.LogDebug("Bulk upsert of {Count} subscribers answered, {Failed} failed", batch.Count, outcomes.Count(o => !o.Written));
    }

    // The source is cancelled, never disposed: a bulk call still being answered may read its token.
    public void Dispose() => _stopping.Cancel();

    sealed class Pending(NovuClient client, SubscriberUpsert subscriber, string idempotencyKey, CancellationToken cancellationToken)
    {
        public NovuClient Client { get; } = client;
        public SubscriberUpsert Subscriber { get; } = subscriber;
        public string IdempotencyKey { get; } = idempotencyKey;
        public CancellationToken CancellationToken { get; } = cancellationToken;
        public LinkedListNode<Pending>? Node { get; set; }
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
