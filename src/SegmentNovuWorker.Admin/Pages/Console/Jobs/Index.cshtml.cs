using SegmentNovuWorker.Operations.Jobs;

namespace SegmentNovuWorker.Admin.Pages.Console.Jobs;

/// <summary>Every bulk job, the newest first.</summary>
public sealed class IndexModel(BulkJobs jobs) : ConsolePage
{
    public IReadOnlyList<BulkJob> Jobs { get; private set; } = [];

    public void OnGet() => Jobs = jobs.List();
}
