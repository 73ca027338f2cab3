using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Admin.Api;
using SegmentNovuWorker.Messaging.DeliveryLog;

namespace SegmentNovuWorker.Admin.DeliveryLog;

public static class DeliveryLogServiceExtensions
{
    /// <summary>The index of the delivery log (<c>Admin:DeliveryLogIndexPath</c>, by default in <c>Admin:JobsPath</c>) and the follower that fills it.</summary>
    public static IServiceCollection AddDeliveryLogIndex(this IServiceCollection services)
    {
        services.AddOptions<DeliveryLogOptions>()
            .BindConfiguration(DeliveryLogOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var path = sp.GetRequiredService<IOptions<AdminOptions>>().Value.DeliveryLogIndexFile;
            return new DeliveryLogIndex(Path.IsPathRooted(path) ? path : Path.Combine(sp.GetRequiredService<IHostEnvironment>().ContentRootPath, path));
        });
        services.AddHostedService<DeliveryLogIndexer>();
        return services;
    }
}
