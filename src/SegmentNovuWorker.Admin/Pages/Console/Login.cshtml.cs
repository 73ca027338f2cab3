using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SegmentNovuWorker.Admin.Api;
using SegmentNovuWorker.Admin.Extensions;
using SegmentNovuWorker.Admin.Sessions;

namespace SegmentNovuWorker.Admin.Pages.Console;

/// <summary>The one place the admin key is typed: it is checked, and the browser gets a session cookie, never the key.</summary>
public sealed class LoginModel(AdminKeys keys, ConsoleSessions sessions) : PageModel
{
    public string? Refusal { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync([FromForm] string? key)
    {
        var check = keys.Check(key, HttpContext, "a console sign-in");
        if (!check.Accepted)
        {
            Response.StatusCode = check.Throttled ? StatusCodes.Status429TooManyRequests : StatusCodes.Status401Unauthorized;
            Refusal = check.Throttled
                ? "Too many wrong keys from this address; wait a minute (Admin:FailedAttemptsWindow) and try again."
                : "That is not an admin key. Use a value of Admin:ApiKey or Admin:ApiKeys.";
            return Page();
        }
        await HttpContext.SignInAsync(ConsoleServiceExtensions.SessionScheme, sessions.Open(check.Operator!, check.KeyFingerprint!));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) && ReturnUrl!.StartsWith("/console", StringComparison.Ordinal) ? ReturnUrl : "/console");
    }

    public async Task<IActionResult> OnPostSignOutAsync()
    {
        sessions.Close(User);
        await HttpContext.SignOutAsync(ConsoleServiceExtensions.SessionScheme);
        return LocalRedirect("/console/login");
    }
}
