using Microsoft.Extensions.Options;
using SegmentNovuWorker.Admin.Api;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.DeadLetters;
using SegmentNovuWorker.Operations.Queues;
using SegmentNovuWorker.Operations.Workers;

namespace SegmentNovuWorker.Admin.Pages.Console;

/// <summary>The overview: queues with depth and consumer, whether consumption is stopped anywhere and why, dead letters grouped.</summary>
public sealed class IndexModel(DeadLetterOperations deadLetters, QueueLister queues, BrokerSettings broker, WorkerConsumptionReader workers,
    IOptions<AdminOptions> options) : ConsolePage
{
    public IReadOnlyList<DeadLetterIssue> Issues { get; private set; } = [];

    public IReadOnlyList<QueueStatus> Queues { get; private set; } = [];

    public string? QueuesProblem { get; private set; }

    /// <summary>What each configured worker says; null when none is configured (the broker's view is shown instead).</summary>
    public IReadOnlyList<WorkerConsumption>? Workers { get; private set; }

    /// <summary>Partition queues no worker consumes, as the broker sees them.</summary>
    public IReadOnlyList<QueueStatus> Unconsumed => [.. Queues.Where(q => q.Kind == "partition" && q.Consumers == 0)];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Issues = await TryAsync(() => deadLetters.SummarizeAsync(DeadLetterFilter.All, cancellationToken)) ?? [];
        try
        {
            broker.EnsureManagementIsSafe();
            Queues = await queues.ListAsync(cancellationToken);
        }
        catch (OperatorException ex)
        {
            QueuesProblem = ex.Message;
        }
        if (options.Value.WorkerUrls.Count > 0)
            Workers = await workers.ReadAsync(options.Value.WorkerUrls, cancellationToken);
    }
}
