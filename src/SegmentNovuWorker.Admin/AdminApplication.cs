using SegmentNovuWorker.Admin.Api;
using SegmentNovuWorker.Admin.Extensions;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Admin;

/// <summary>Builds the admin process (admin API and console); <c>Program.cs</c> runs it, tests host it on a loopback port.</summary>
public static class AdminApplication
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Named for this assembly, not the entry one: the console's Razor Pages are found in the application's assembly, and a
        // test host's entry assembly is the test runner.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(AdminApplication).Assembly.GetName().Name });
        builder.AddAdminServices();
        builder.AddConsole();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseStatusCodePages();
        app.MapHealthEndpoints();
        app.UseConsole();
        app.MapAdminApi();
        return app;
    }
}
