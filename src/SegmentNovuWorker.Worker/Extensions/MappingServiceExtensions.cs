using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.Worker.Extensions;

public static class MappingServiceExtensions
{
    /// <summary>The compiled, hot-reloaded Novu mapping, checked before anything consumes (a wrong one stops the start).</summary>
    public static IServiceCollection AddWorkflowMapping(this IServiceCollection services)
    {
        services.AddSingleton<WorkflowMapSource>();
        // Registered before the bus, so the mapping is compiled (or the start refused) before the first event arrives.
        services.AddHostedService<MappingStartupCheck>();
        return services;
    }

    sealed class MappingStartupCheck(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetRequiredService<WorkflowMapSource>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
