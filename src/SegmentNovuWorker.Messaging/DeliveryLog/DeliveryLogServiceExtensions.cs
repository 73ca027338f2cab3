using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Messaging.Telemetry;

namespace SegmentNovuWorker.Messaging.DeliveryLog;

public static class DeliveryLogServiceExtensions
{
    /// <summary>
    /// The <c>DeliveryLog</c> options (validated at start) and <see cref="IDeliveryLog"/>, published by a
    /// <see cref="DeliveryLogWriter"/>. Register it before the bus: hosted services stop in reverse order, so the writer
    /// still publishes the steps of the deliveries the bus finishes while stopping.
    /// </summary>
    /// <param name="processName">Names the writer's connection (<c>worker</c>, <c>ingest</c>).</param>
    public static IServiceCollection AddDeliveryLog(this IServiceCollection services, string processName)
    {
        services.AddOptions<DeliveryLogOptions>()
            .BindConfiguration(DeliveryLogOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<SegmentNovuMetrics>();
        services.TryAddSingleton<BrokerConnections>();
        services.AddSingleton(sp => new DeliveryLogWriter(sp.GetRequiredService<IOptions<DeliveryLogOptions>>(), sp.GetRequiredService<IOptions<RabbitMqOptions>>(),
            sp.GetRequiredService<BrokerConnections>(), sp.GetRequiredService<SegmentNovuMetrics>(), sp.GetRequiredService<ILogger<DeliveryLogWriter>>(), processName));
        services.AddSingleton<IDeliveryLog>(sp => sp.GetRequiredService<DeliveryLogWriter>());
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryLogWriter>());
        return services;
    }
}
