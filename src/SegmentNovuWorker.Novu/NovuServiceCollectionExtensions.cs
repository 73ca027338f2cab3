using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using SegmentNovuWorker.Novu.Pacing;
using SegmentNovuWorker.Novu.Subscribers;
using SegmentNovuWorker.Novu.Triggers;

namespace SegmentNovuWorker.Novu;

public static class NovuServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="NovuClient"/>. Polly (through Microsoft.Extensions.Http.Resilience) owns only the
    /// per-attempt timeout here; retries belong to MassTransit's retry and redelivery policies so that the two
    /// never multiply. In front of the timeout, <see cref="NovuPacingHandler"/> paces every call to Novu's rate limits
    /// and waits out a 429 itself: a paced wait is never cut by the attempt timeout and never becomes a failure.
    /// </summary>
    public static IServiceCollection AddNovuClient(this IServiceCollection services)
    {
        services.AddOptions<NovuClientOptions>()
            .BindConfiguration(NovuClientOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<NovuRateLimitOptions>()
            .BindConfiguration(NovuRateLimitOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<SubscriberBulkOptions>()
            .BindConfiguration(SubscriberBulkOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // Validated now, read by the worker once it sends bulk triggers (issue 33): a wrong value fails at start already.
        services.AddOptions<TriggerBulkOptions>()
            .BindConfiguration(TriggerBulkOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<NovuPacer>();
        services.TryAddSingleton<SubscriberUpserts>();
        services.TryAddTransient<NovuPacingHandler>();

        services.TryAddSingleton<NovuMetrics>();
        services.AddTransient<NovuCallMetricsHandler>();
        services.AddHttpClient<NovuClient>((sp, http) =>
            {
                // The monitor, not the snapshot: a fixed key reloaded from configuration is used by the next call, which is
                // how a worker paused for a refused account (401) comes back without a restart.
                var options = sp.GetRequiredService<IOptionsMonitor<NovuClientOptions>>().CurrentValue;
                var baseUrl = options.BaseUrl.ToString();
                http.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", options.ApiKey);
                http.DefaultRequestHeaders.UserAgent.ParseAdd("SegmentNovuWorker/1.0");
                // The resilience handler's timeout is the one that counts; this only must not cut it short.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(5),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5), // follow DNS changes of api.novu.co
            })
            // Added before the resilience handler, so outside it: the timeout counts from the moment a call is sent.
            .AddHttpMessageHandler<NovuPacingHandler>()
            // Then every real send is counted: its endpoint, status and category (429s included), and its latency.
            .AddHttpMessageHandler<NovuCallMetricsHandler>()
            .AddResilienceHandler("novu", (builder, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<NovuClientOptions>>().Value;
                builder.AddTimeout(options.AttemptTimeout);
            });
        return services;
    }
}
