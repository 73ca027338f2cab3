using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SegmentNovuWorker.Operations.AdminApi;

/// <summary>
/// The admin API as a web server of its own inside the host process, listening only on <c>Admin:Urls</c>. Its routes
/// are in no other server's route table, so the public listener answers 404 for <c>/admin</c> whatever is sent to it.
/// </summary>
public sealed class AdminApiHost(IOptions<AdminOptions> options, IConfiguration configuration, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    WebApplication? _app;

    /// <summary>Where the admin API listens once started (with the actual port when <c>Admin:Urls</c> asked for port 0).</summary>
    public IReadOnlyList<Uri> Addresses { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var admin = options.Value;
        if (!admin.Enabled)
            return;

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        // The host's configuration (broker, management API, anything an admin endpoint reads), but none of its listeners.
        builder.Configuration.AddConfiguration(configuration);
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddRouting();
        builder.Services.AddSegmentNovuOperations();
        builder.Services.AddSingleton(Options.Create(admin));

        var app = builder.Build();
        foreach (var url in admin.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            app.Urls.Add(url);
        app.MapAdminApi();
        await app.StartAsync(cancellationToken);
        _app = app;
        Addresses = [.. app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Select(a => new Uri(a))];
        loggerFactory.CreateLogger<AdminApiHost>().LogInformation("Admin API listening on {Addresses}", string.Join(", ", Addresses));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
            await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }
}
