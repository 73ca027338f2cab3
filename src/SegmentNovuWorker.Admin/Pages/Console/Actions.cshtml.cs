using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using SegmentNovuWorker.Admin.Api;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.DeadLetters;
using SegmentNovuWorker.Operations.Jobs;

namespace SegmentNovuWorker.Admin.Pages.Console;

/// <summary>
/// A replay or purge, one dead letter or every one matching a filter: a dry run first (how many, which), then, once
/// confirmed, a background job. A purge asks for the count to be typed and offers the export first.
/// </summary>
public sealed class ActionsModel(DeadLetterOperations deadLetters, BulkJobs jobs, ILogger<ActionsModel> logger) : ConsolePage
{
    /// <summary>Dead letters listed on the dry run; the count covers them all.</summary>
    public const int Listed = 100;

    public string Operation { get; private set; } = "replay";

    public FilterQuery Filter { get; private set; } = FilterQuery.From(DeadLetterFilter.All);

    public MoveReport? DryRun { get; private set; }

    public string? Refusal { get; private set; }

    public bool IsPurge => Operation == "purge";

    public async Task<IActionResult> OnGetAsync(string operation, FilterQuery filter, CancellationToken cancellationToken)
    {
        if (operation is not ("replay" or "purge"))
            return NotFound();
        Operation = operation;
        Filter = filter;
        DryRun = await TryAsync(() => Run(dryRun: true, cancellationToken));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string operation, FilterQuery filter, int expected, string? confirmCount, double? rate,
        CancellationToken cancellationToken)
    {
        if (operation is not ("replay" or "purge"))
            return NotFound();
        Operation = operation;
        Filter = filter;
        if (IsPurge && confirmCount?.Trim() != expected.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            Refusal = $"Nothing was purged: type {expected} to confirm you mean to purge {expected} dead letter(s).";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            DryRun = await TryAsync(() => Run(dryRun: true, cancellationToken));
            return Page();
        }
        try
        {
            var job = jobs.Start(operation, filter.ToFilter(), all: filter.ToFilter().IsEmpty, startedBy: Operator, rate);
            logger.LogWarning("Console {Operation} job {JobId} started by {Operator} from {Client}: filter {Filter}, {Expected} expected by the dry run",
                operation, job.Id, Operator, AdminKeys.ClientOf(HttpContext), JsonSerializer.Serialize(filter), expected);
            return RedirectToPage("/Console/Jobs/Show", new { id = job.Id });
        }
        catch (OperatorException ex)
        {
            Refusal = ex.Message;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
    }

    Task<MoveReport> Run(bool dryRun, CancellationToken cancellationToken) => IsPurge
        ? deadLetters.PurgeAsync(Filter.ToFilter(), new MoveOptions(DryRun: dryRun), cancellationToken)
        : deadLetters.ReplayAsync(Filter.ToFilter(), new MoveOptions(DryRun: dryRun, By: Operator), cancellationToken);
}
