using System.Text;
using Microsoft.AspNetCore.Mvc;
using SegmentNovuWorker.Admin.Api;
using SegmentNovuWorker.Operations.DeadLetters;

namespace SegmentNovuWorker.Admin.Pages.Console;

/// <summary>The matching dead letters as NDJSON, each with its headers and envelope (what <c>segment-novu dlq export</c> writes).</summary>
public sealed class ExportModel(DeadLetterOperations deadLetters) : ConsolePage
{
    public async Task<IActionResult> OnGetAsync(FilterQuery filter, CancellationToken cancellationToken)
    {
        var buffer = new StringWriter();
        var exported = await TryAsync(async () => (object)await deadLetters.ExportAsync(filter.ToFilter(), buffer, cancellationToken));
        if (exported is null)
            return Content(Problem ?? "The export failed.", "text/plain");
        return File(Encoding.UTF8.GetBytes(buffer.ToString()), "application/x-ndjson", $"dead-letters-{DateTime.UtcNow:yyyyMMddTHHmmssZ}.ndjson");
    }
}
