using System.Text.Json;
using SegmentNovuWorker.Operations.Broker;

namespace SegmentNovuWorker.Operations.DeadLetters;

/// <summary>Everything an operator does with dead letters; the tool and the admin API both call this.</summary>
public sealed class DeadLetterOperations(BrokerConnector connector)
{
    readonly DeadLetterBrowser _browser = new(connector);
    readonly DeadLetterMover _mover = new(connector);

    public async Task<DeadLetterPage> ListAsync(DeadLetterFilter filter, int page, int pageSize, CancellationToken cancellationToken)
    {
        if (page < 1 || pageSize < 1)
            throw new OperatorException(ExitCodes.Usage, "The page and page size start at 1.");
        var all = await _browser.ReadAsync(filter, cancellationToken);
        var items = all.Skip((page - 1) * pageSize).Take(pageSize).Select(d => d.DeadLetter).ToList();
        return new DeadLetterPage(page, pageSize, all.Count, items);
    }

    /// <summary>Dead letters grouped by reason, type and event name, the largest group first.</summary>
    public async Task<IReadOnlyList<DeadLetterIssue>> SummarizeAsync(DeadLetterFilter filter, CancellationToken cancellationToken)
    {
        var all = await _browser.ReadAsync(filter, cancellationToken);
        return [.. all
            .Select(d => d.DeadLetter)
            .GroupBy(d => (d.Reason, d.Type, d.EventName))
            .Select(g =>
            {
                var last = g.MaxBy(d => d.LastFailureAt ?? DateTimeOffset.MinValue)!;
                return new DeadLetterIssue(g.Key.Reason, g.Key.Type, g.Key.EventName, g.Count(), last.HttpStatus, last.NovuMessage,
                    g.Min(d => d.FirstFailureAt ?? d.LastFailureAt), g.Max(d => d.LastFailureAt));
            })
            .OrderByDescending(i => i.Count)
            .ThenBy(i => i.Reason, StringComparer.Ordinal)
            .ThenBy(i => i.EventName, StringComparer.Ordinal)];
    }

    /// <summary>Every dead letter with this Segment messageId (normally one).</summary>
    public async Task<IReadOnlyList<DeadLetterDetail>> ShowAsync(string messageId, CancellationToken cancellationToken)
    {
        var found = await _browser.ReadAsync(new DeadLetterFilter(MessageId: messageId), cancellationToken);
        return found.Count > 0
            ? found
            : throw new OperatorException(ExitCodes.NotFound,
                $"No dead letter has Segment messageId '{messageId}'. 'segment-novu dlq list' shows the ones there are; a replayed or purged one is gone from _error.");
    }

    /// <summary>Writes each matching dead letter, with its headers and envelope, as one NDJSON line; returns how many.</summary>
    public async Task<int> ExportAsync(DeadLetterFilter filter, TextWriter output, CancellationToken cancellationToken)
    {
        var all = await _browser.ReadAsync(filter, cancellationToken);
        foreach (var detail in all)
            await output.WriteLineAsync(JsonSerializer.Serialize(detail, OperationsJson.Options));
        await output.FlushAsync(cancellationToken);
        return all.Count;
    }

    /// <summary>Sends matching dead letters back to their original queue with a fresh retry budget.</summary>
    public Task<MoveReport> ReplayAsync(DeadLetterFilter filter, MoveOptions options, CancellationToken cancellationToken) =>
        _mover.MoveAsync(replay: true, filter, options, cancellationToken);

    /// <summary>Removes matching dead letters for good (written to <see cref="MoveOptions.Export"/> first when given).</summary>
    public Task<MoveReport> PurgeAsync(DeadLetterFilter filter, MoveOptions options, CancellationToken cancellationToken) =>
        _mover.MoveAsync(replay: false, filter, options, cancellationToken);
}
