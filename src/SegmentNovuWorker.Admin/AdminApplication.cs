using SegmentNovuWorker.Admin.Api;
using SegmentNovuWorker.Admin.Extensions;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.Admin;

/// <summary>Builds the admin process (admin API and console); <c>Program.cs</c> runs it, tests host it on a loopback port.</summary>
public static class AdminApplication
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddAdminServices();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseStatusCodePages();
        app.MapHealthEndpoints();
        app.MapAdminApi();
        return app;
    }
}
