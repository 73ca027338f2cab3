using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.DeadLetters;
using SegmentNovuWorker.Operations.Jobs;
using SegmentNovuWorker.Operations.Queues;
using SegmentNovuWorker.Operations.Workers;

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
        services.AddHttpClient<WorkerConsumptionReader>(http => http.Timeout = TimeSpan.FromSeconds(5));
        return services;
    }

    /// <summary>Bulk jobs kept in <paramref name="folder"/>, resumed when the host starts (see <see cref="BulkJobs"/>).</summary>
    public static IServiceCollection AddBulkJobs(this IServiceCollection services, Func<IServiceProvider, string> folder)
    {
        services.AddSingleton(sp => new JobStore(folder(sp)));
        services.AddSingleton<BulkJobs>();
        services.AddHostedService(sp => sp.GetRequiredService<BulkJobs>());
        return services;
    }
}
