using System.Text.Json;
using SegmentNovuWorker.Operations.Broker;

namespace SegmentNovuWorker.Operations.DeadLetters;

/// <summary>Everything an operator does with dead letters; the tool and the admin API both call this.</summary>
public sealed class DeadLetterOperations(BrokerConnector connector)
{
    readonly DeadLetterBrowser _browser = new(connector);
    readonly DeadLetterMover _mover = new(connector);

    /// <summary>
    /// One page of the matching dead letters. Every dead letter is read to count the matches, but only the page's are
    /// kept: memory follows <paramref name="pageSize"/>, not the queues.
    /// </summary>
    public async Task<DeadLetterPage> ListAsync(DeadLetterFilter filter, int page, int pageSize, CancellationToken cancellationToken)
    {
        if (page < 1 || pageSize < 1)
            throw new OperatorException(ExitCodes.Usage, "The page and page size start at 1.");
        var skip = (long)(page - 1) * pageSize;
        var items = new List<DeadLetter>(Math.Min(pageSize, 1000));
        var matching = 0;
        await foreach (var detail in _browser.ReadAsync(filter, cancellationToken))
        {
            if (matching >= skip && items.Count < pageSize)
                items.Add(detail.DeadLetter);
            matching++;
        }
        return new DeadLetterPage(page, pageSize, matching, items);
    }

    /// <summary>Dead letters grouped by reason, type and event name, the largest group first; one group per kind held, not the dead letters.</summary>
    public async Task<IReadOnlyList<DeadLetterIssue>> SummarizeAsync(DeadLetterFilter filter, CancellationToken cancellationToken)
    {
        var groups = new Dictionary<(string Reason, string Type, string? EventName), DeadLetterIssue>();
        await foreach (var detail in _browser.ReadAsync(filter, cancellationToken))
        {
            var d = detail.DeadLetter;
            var key = (d.Reason, d.Type, d.EventName);
            groups[key] = groups.TryGetValue(key, out var issue)
                ? issue with
                {
                    Count = issue.Count + 1,
                    // The last failure's answer, as when the group was read whole (the first of equal times wins).
                    LastHttpStatus = Later(d, issue) ? d.HttpStatus : issue.LastHttpStatus,
                    LastNovuMessage = Later(d, issue) ? d.NovuMessage : issue.LastNovuMessage,
                    FirstFailureAt = Min(issue.FirstFailureAt, d.FirstFailureAt ?? d.LastFailureAt),
                    LastFailureAt = Max(issue.LastFailureAt, d.LastFailureAt),
                }
                : new DeadLetterIssue(d.Reason, d.Type, d.EventName, 1, d.HttpStatus, d.NovuMessage, d.FirstFailureAt ?? d.LastFailureAt, d.LastFailureAt);
        }
        return [.. groups.Values
            .OrderByDescending(i => i.Count)
            .ThenBy(i => i.Reason, StringComparer.Ordinal)
            .ThenBy(i => i.EventName, StringComparer.Ordinal)];

        static bool Later(DeadLetter d, DeadLetterIssue issue) =>
            (d.LastFailureAt ?? DateTimeOffset.MinValue) > (issue.LastFailureAt ?? DateTimeOffset.MinValue);
        static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
        static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
    }

    /// <summary>Every dead letter with this Segment messageId (normally one).</summary>
    public async Task<IReadOnlyList<DeadLetterDetail>> ShowAsync(string messageId, CancellationToken cancellationToken)
    {
        var found = new List<DeadLetterDetail>();
        await foreach (var detail in _browser.ReadAsync(new DeadLetterFilter(MessageId: messageId), cancellationToken))
            found.Add(detail);
        return found.Count > 0
            ? found
            : throw new OperatorException(ExitCodes.NotFound,
                $"No dead letter has Segment messageId '{messageId}'. 'segment-novu dlq list' shows the ones there are; a replayed or purged one is gone from _error.");
    }

    /// <summary>Writes each matching dead letter, with its headers and envelope, as one NDJSON line, as it is read; returns how many.</summary>
    public async Task<int> ExportAsync(DeadLetterFilter filter, TextWriter output, CancellationToken cancellationToken)
    {
        await using var export = await StartExportAsync(filter, cancellationToken);
        return await export.WriteToAsync(output, cancellationToken);
    }

    /// <summary>
    /// Starts an export: reaches the broker and finds the queues (what fails with <see cref="OperatorException"/>, so a
    /// caller can still answer with the reason), then writes as it reads (<see cref="DeadLetterExport.WriteToAsync"/>).
    /// </summary>
    public async Task<DeadLetterExport> StartExportAsync(DeadLetterFilter filter, CancellationToken cancellationToken)
    {
        var reader = _browser.ReadAsync(filter, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            return new DeadLetterExport(reader, await reader.MoveNextAsync());
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends matching dead letters back to their original queue with a fresh retry budget.</summary>
    public Task<MoveReport> ReplayAsync(DeadLetterFilter filter, MoveOptions options, CancellationToken cancellationToken) =>
        _mover.MoveAsync(replay: true, filter, options, cancellationToken);

    /// <summary>Removes matching dead letters for good (written to <see cref="MoveOptions.Export"/> first when given).</summary>
    public Task<MoveReport> PurgeAsync(DeadLetterFilter filter, MoveOptions options, CancellationToken cancellationToken) =>
        _mover.MoveAsync(replay: false, filter, options, cancellationToken);
}

/// <summary>An export under way: the dead letters are read from the broker as they are written, one at a time.</summary>
public sealed class DeadLetterExport : IAsyncDisposable
{
    readonly IAsyncEnumerator<DeadLetterDetail> _reader;
    bool _hasCurrent;

    internal DeadLetterExport(IAsyncEnumerator<DeadLetterDetail> reader, bool hasCurrent) => (_reader, _hasCurrent) = (reader, hasCurrent);

    /// <summary>Writes each dead letter as one NDJSON line, flushing every <see cref="FlushEvery"/>; returns how many.</summary>
    public async Task<int> WriteToAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var written = 0;
        while (_hasCurrent)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(_reader.Current, OperationsJson.Options));
            if (++written % FlushEvery == 0)
                await output.FlushAsync(cancellationToken);
            _hasCurrent = await _reader.MoveNextAsync();
        }
        await output.FlushAsync(cancellationToken);
        return written;
    }

    /// <summary>Lines between flushes: the reader sees the export arrive, and the writer's buffer stays small.</summary>
    public const int FlushEvery = 100;

    public ValueTask DisposeAsync() => _reader.DisposeAsync();
}
