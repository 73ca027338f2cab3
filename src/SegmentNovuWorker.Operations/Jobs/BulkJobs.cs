using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.DeadLetters;

namespace SegmentNovuWorker.Operations.Jobs;

/// <summary>
/// Runs bulk replays and purges in the background: start, progress, cancel, per-message results. A job's state is written
/// down as it goes (<see cref="JobStore"/>), so a page reload shows it and a restarted process resumes what was running.
/// </summary>
/// <remarks>
/// Two jobs never move the same message: a message a job is moving is unacked on its channel, so RabbitMQ gives it to no
/// other reader until it is acked (moved) or handed back. A job whose pass could not read some messages (a console page or
/// another job held them) runs another pass over what is left, skipping what it already handled, until a pass reads them all.
/// </remarks>
public sealed class BulkJobs(DeadLetterOperations deadLetters, JobStore store, ILogger<BulkJobs> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>Passes a job makes, at most, while other readers hold messages it must look at.</summary>
    const int MaxPasses = 60;

    static readonly TimeSpan BetweenPasses = TimeSpan.FromSeconds(1);

    readonly ConcurrentDictionary<string, (Task Run, CancellationTokenSource Cancel)> _running = new();
    readonly CancellationTokenSource _stopping = new();

    public BulkJob? Find(string id) => store.Find(id);

    public IReadOnlyList<BulkJob> List() => store.List();

    public IReadOnlyList<MoveOutcome> Results(string id) => store.Results(id);

    /// <summary>Where a purge job wrote each dead letter before removing it (null for a replay, or before it purged any).</summary>
    public string? PurgedFile(string id) => store.Find(id) is { Operation: "purge" } && File.Exists(store.PurgedPath(id)) ? store.PurgedPath(id) : null;

    /// <param name="operation"><c>replay</c> or <c>purge</c>.</param>
    /// <exception cref="OperatorException">Not an operation, or a filter that names nothing without saying "all".</exception>
    /// <param name="rate">At most this many messages per second; null for as fast as the broker confirms.</param>
    public BulkJob Start(string operation, DeadLetterFilter filter, bool all, string startedBy, double? rate = null)
    {
        if (rate is <= 0)
            throw new OperatorException(ExitCodes.Usage, "The rate is messages per second and must be above 0.");
        if (operation is not ("replay" or "purge"))
            throw new OperatorException(ExitCodes.Usage, $"A job replays or purges; '{operation}' is neither.");
        filter.RequireScope(all, operation);
        var job = new BulkJob(JobStore.NewId(), operation, filter, startedBy, DateTimeOffset.UtcNow, JobState.Running, Rate: rate);
        store.Save(job);
        logger.LogWarning("Job {JobId}: {Operation} started by {Operator}, filter {Filter}", job.Id, operation, startedBy, filter);
        Launch(job);
        return job;
    }

    /// <returns>The job as it is now (cancelling, or already finished), or null when there is no such job.</returns>
    public BulkJob? Cancel(string id, string cancelledBy)
    {
        var job = store.Find(id);
        if (job is null || job.IsFinished)
            return job;
        job = job with { State = JobState.Cancelling, CancelledBy = cancelledBy };
        store.Save(job);
        logger.LogWarning("Job {JobId}: cancel asked by {Operator}", id, cancelledBy);
        if (_running.TryGetValue(id, out var running))
            running.Cancel.Cancel();
        return job;
    }

    /// <summary>Resumes the jobs a stopped process left running; finishes the cancel of those it left cancelling.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var job in store.List().Where(j => !j.IsFinished))
        {
            if (job.State == JobState.Cancelling)
            {
                store.Save(job with { State = JobState.Cancelled, FinishedAt = DateTimeOffset.UtcNow });
                continue;
            }
            logger.LogWarning("Job {JobId}: resumed after a restart ({Done} done before)", job.Id, job.Done);
            var resumed = job with { Runs = job.Runs + 1 };
            store.Save(resumed);
            Launch(resumed);
        }
        return Task.CompletedTask;
    }

    /// <summary>Stops running jobs between two messages; they stay <see cref="JobState.Running"/> on disk and resume at the next start.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_running.Values.Select(r => r.Run)).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    void Launch(BulkJob job)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        _running[job.Id] = (Task.Run(() => RunAsync(job, cancel)), cancel);
    }

    async Task RunAsync(BulkJob job, CancellationTokenSource cancel)
    {
        var handled = store.Results(job.Id).Select(o => o.MessageId).ToHashSet(StringComparer.Ordinal);
        var gate = new Lock();
        var current = job;
        void Update(Func<BulkJob, BulkJob> change)
        {
            lock (gate)
            {
                // A cancel asked meanwhile (by another request) is kept, not overwritten by progress.
                var stored = store.Find(job.Id);
                current = change(current) with { State = stored?.State ?? current.State, CancelledBy = stored?.CancelledBy ?? current.CancelledBy };
                store.Save(current);
            }
        }

        try
        {
            await using var purged = job.Operation == "purge" ? DeadLetterFiles.Open(store.PurgedPath(job.Id), append: true) : null;
            var doneBefore = job.Done;
            for (var pass = 1; pass <= MaxPasses && !cancel.IsCancellationRequested; pass++)
            {
                var options = new MoveOptions(
                    By: job.StartedBy,
                    Rate: job.Rate,
                    Export: purged,
                    // The first pass of the first run sees every message in scope; later ones see only what is left.
                    Progress: pass == 1 && job.Runs == 1 ? new Reporter(p => Update(j => j with { Total = p.Total, Scanned = p.Scanned })) : null,
                    Outcome: o =>
                    {
                        store.Append(job.Id, o);
                        handled.Add(o.MessageId);
                        Update(j => o.Outcome == "failed" ? j with { Failed = j.Failed + 1 } : j with { Done = j.Done + 1 });
                    },
                    Skip: handled.Contains);
                MoveReport report;
                try
                {
                    report = job.Operation == "replay"
                        ? await deadLetters.ReplayAsync(job.Filter, options, cancel.Token)
                        : await deadLetters.PurgeAsync(job.Filter, options, cancel.Token);
                }
                catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                {
                    break; // cancelled while waiting on the broker, between two messages
                }
                if (report.Unread is null)
                    break;
                await Task.Delay(BetweenPasses, cancel.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            if (_stopping.IsCancellationRequested && store.Find(job.Id)?.State == JobState.Running)
                return; // the process stops: left running, resumed at the next start
            Update(j => j with { FinishedAt = DateTimeOffset.UtcNow, Scanned = j.Total });
            var finished = store.Find(job.Id)!;
            var state = finished.State == JobState.Cancelling ? JobState.Cancelled : JobState.Completed;
            lock (gate)
            {
                current = finished with { State = state };
                store.Save(current);
            }
            logger.LogWarning("Job {JobId}: {State}; {Operation} {Done} ({DoneNow} in this run), {Failed} failed",
                job.Id, state, job.Operation, current.Done, current.Done - doneBefore, current.Failed);
        }
        catch (Exception ex) when (ex is OperatorException or IOException or UnauthorizedAccessException)
        {
            lock (gate)
            {
                current = (store.Find(job.Id) ?? current) with { State = JobState.Failed, Error = ex.Message, FinishedAt = DateTimeOffset.UtcNow };
                store.Save(current);
            }
            logger.LogError("Job {JobId}: failed: {Error}", job.Id, ex.Message);
        }
        finally
        {
            _running.TryRemove(job.Id, out _);
            cancel.Dispose();
        }
    }

    /// <summary>Reports on the mover's own thread, at once (<see cref="Progress{T}"/> would post to the thread pool, out of order).</summary>
    sealed class Reporter(Action<MoveProgress> report) : IProgress<MoveProgress>
    {
        public void Report(MoveProgress value) => report(value);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
            await _stopping.CancelAsync();
        _stopping.Dispose();
    }
}
