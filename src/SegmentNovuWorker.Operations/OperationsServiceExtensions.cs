using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.DeadLetters;
using SegmentNovuWorker.Operations.Queues;

namespace SegmentNovuWorker.Operations;

public static class OperationsServiceExtensions
{
    /// <summary>The operations on the broker configured by <c>ConnectionStrings:RabbitMq</c> and <c>RabbitMq:ManagementUrl</c>.</summary>
    public static IServiceCollection AddSegmentNovuOperations(this IServiceCollection services)
    {
        // Read when first used, so configuration added after this call (tests, command-line options) still counts.
        services.AddSingleton(sp => BrokerSettings.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<BrokerConnector>();
        services.AddSingleton<DeadLetterOperations>();
        services.AddHttpClient<QueueLister>(http => http.Timeout = TimeSpan.FromSeconds(10));
        return services;
    }
}
