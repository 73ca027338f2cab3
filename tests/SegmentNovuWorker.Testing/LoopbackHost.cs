using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace SegmentNovuWorker.Testing;

/// <summary>Runs one of the service's web applications on a free loopback port, for real HTTP in tests.</summary>
public static class LoopbackHost
{
    /// <param name="project">The project folder under src/: its appsettings.json is read, as when it runs for real.</param>
    /// <param name="configure">More services for this host (e.g. an in-memory trace exporter), after the service's own.</param>
    public static async Task<(WebApplication App, Uri Address)> StartAsync(
        Func<string[], Action<WebApplicationBuilder>, WebApplication> create,
        string project,
        IDictionary<string, string?> settings,
        Action<WebApplicationBuilder>? configure = null)
    {
        var contentRoot = Path.Combine(RabbitMqBroker.RepositoryRoot(), "src", project);
        var app = create(["--urls", "http://127.0.0.1:0", "--environment", "Testing", "--contentRoot", contentRoot], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return (app, new Uri(address));
    }
}
