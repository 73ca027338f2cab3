using Microsoft.AspNetCore.Mvc;
using SegmentNovuWorker.Admin.Api;
using SegmentNovuWorker.Operations.DeadLetters;

namespace SegmentNovuWorker.Admin.Pages.Console;

/// <summary>The matching dead letters as NDJSON, each with its headers and envelope (what <c>segment-novu dlq export</c> writes), streamed as read.</summary>
public sealed class ExportModel(DeadLetterOperations deadLetters) : ConsolePage
{
    public async Task<IActionResult> OnGetAsync(FilterQuery filter, CancellationToken cancellationToken)
    {
        var export = await TryAsync(() => deadLetters.StartExportAsync(filter.ToFilter(), cancellationToken));
        if (export is null)
            return Content(Problem ?? "The export failed.", "text/plain");
        await using (export)
        {
            Response.ContentType = "application/x-ndjson";
            Response.Headers.ContentDisposition = $"attachment; filename=dead-letters-{DateTime.UtcNow:yyyyMMddTHHmmssZ}.ndjson";
            await using var writer = new StreamWriter(Response.Body, new System.Text.UTF8Encoding(false), bufferSize: -1, leaveOpen: true);
            await export.WriteToAsync(writer, cancellationToken);
        }
        return new EmptyResult();
    }
}
