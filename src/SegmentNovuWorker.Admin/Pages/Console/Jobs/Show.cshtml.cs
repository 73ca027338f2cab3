using Microsoft.AspNetCore.Mvc;
using SegmentNovuWorker.Operations.DeadLetters;
using SegmentNovuWorker.Operations.Jobs;

namespace SegmentNovuWorker.Admin.Pages.Console.Jobs;

/// <summary>One job: its progress (refreshed in place by htmx while it runs), cancel, and each message's outcome.</summary>
public sealed class ShowModel(BulkJobs jobs, ILogger<ShowModel> logger) : ConsolePage
{
    public BulkJob Job { get; private set; } = null!;

    public IReadOnlyList<MoveOutcome> Results { get; private set; } = [];

    public IActionResult OnGet(string id) => Load(id) ? Page() : NotFound();

    /// <summary>The panel alone, for htmx's poll.</summary>
    public IActionResult OnGetPanel(string id) => Load(id) ? Partial("_JobPanel", this) : NotFound();

    public IActionResult OnPostCancel(string id)
    {
        var job = jobs.Cancel(id, Operator);
        if (job is null)
            return NotFound();
        logger.LogWarning("Console cancel of job {JobId} ({Operation}) by {Operator}", id, job.Operation, Operator);
        return RedirectToPage("/Console/Jobs/Show", new { id });
    }

    /// <summary>What a purge job removed, as it was: NDJSON.</summary>
    public IActionResult OnGetPurged(string id) =>
        jobs.PurgedFile(id) is { } path ? PhysicalFile(path, "application/x-ndjson", $"purged-{id}.ndjson") : NotFound();

    bool Load(string id)
    {
        if (jobs.Find(id) is not { } job)
            return false;
        Job = job;
        Results = jobs.Results(id);
        return true;
    }
}
