using Microsoft.AspNetCore.Mvc.RazorPages;
using SegmentNovuWorker.Operations.Broker;

namespace SegmentNovuWorker.Admin.Pages;

/// <summary>What every console page has: who is signed in, and the broker's refusal shown as a message rather than a 500.</summary>
public abstract class ConsolePage : PageModel
{
    /// <summary>Why the page could not show everything (the broker or its management API did not answer), or null.</summary>
    public string? Problem { get; protected set; }

    public string Operator => User.Identity?.Name ?? "unknown";

    protected async Task<T?> TryAsync<T>(Func<Task<T>> read) where T : class
    {
        try
        {
            return await read();
        }
        catch (OperatorException ex)
        {
            Problem = ex.Message;
            if (ex.ExitCode == ExitCodes.Usage)
                Response.StatusCode = StatusCodes.Status400BadRequest;
            else if (ex.ExitCode == ExitCodes.NotFound)
                Response.StatusCode = StatusCodes.Status404NotFound;
            return null;
        }
    }
}
