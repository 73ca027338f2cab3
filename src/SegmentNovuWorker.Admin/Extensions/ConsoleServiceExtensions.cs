using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Admin.Api;
using SegmentNovuWorker.Admin.Sessions;
using SegmentNovuWorker.Operations;

namespace SegmentNovuWorker.Admin.Extensions;

public static class ConsoleServiceExtensions
{
    /// <summary>The cookie of a console session: the admin key is checked once, at sign-in, and never stored in the browser (<see cref="ConsoleSessions"/>).</summary>
    public const string SessionScheme = "console";

    /// <summary>
    /// The console under <c>/console</c>: server-rendered Razor Pages, a session cookie (HttpOnly, SameSite=Strict) after
    /// one sign-in with an admin key, an antiforgery token on every form, and the bulk jobs it starts.
    /// </summary>
    public static WebApplicationBuilder AddConsole(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(pages =>
        {
            pages.Conventions.AuthorizeFolder("/Console");
            pages.Conventions.AllowAnonymousToPage("/Console/Login");
        });
        builder.Services.Configure<RouteOptions>(routes => routes.LowercaseUrls = true);
        builder.Services.AddAuthentication(SessionScheme).AddCookie(SessionScheme);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ConsoleSessions>();
        builder.Services.AddOptions<CookieAuthenticationOptions>(SessionScheme).Configure<IOptions<AdminOptions>>((cookie, admin) =>
        {
            cookie.Cookie.Name = "snw-console";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            // Secure whenever the console is reached over https; loopback and SSH tunnels are plain http.
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = admin.Value.SessionLifetime;
            cookie.SlidingExpiration = true;
            cookie.LoginPath = "/console/login";
            cookie.LogoutPath = "/console/login";
            cookie.AccessDeniedPath = "/console/login";
            // Every request: the cookie is only a session id, and the session ends with its key, its sign-out, or its age.
            cookie.Events.OnValidatePrincipal = async context =>
            {
                var sessions = context.HttpContext.RequestServices.GetRequiredService<ConsoleSessions>();
                if (sessions.Ended(context.Principal!) is not { } why)
                    return;
                context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsoleSessions))
                    .LogInformation("Ended the console session of {Operator} from {Client}: {Why}",
                        context.Principal!.Identity?.Name, AdminKeys.ClientOf(context.HttpContext), why);
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(SessionScheme);
            };
        });
        builder.Services.AddAuthorization();
        builder.Services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "snw-console-antiforgery";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.HttpOnly = true;
        });
        builder.Services.AddBulkJobs(sp => Path.Combine(sp.GetRequiredService<IWebHostEnvironment>().ContentRootPath,
            sp.GetRequiredService<IOptions<AdminOptions>>().Value.JobsPath));
        return builder;
    }

    public static WebApplication UseConsole(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (http.Request.Path.StartsWithSegments("/console"))
            {
                var headers = http.Response.Headers;
                // Events are attacker-controlled: even if something slipped past Razor's encoding, no inline script would run.
                headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
            }
            await next();
        });
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRazorPages();
        app.MapGet("/", () => Results.Redirect("/console"));
        return app;
    }
}
