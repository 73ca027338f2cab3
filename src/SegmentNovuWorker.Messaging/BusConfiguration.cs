using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Messaging;

/// <summary>MassTransit wiring shared by every process that talks to the broker.</summary>
public static class BusConfiguration
{
    /// <summary>Binds and validates <c>ConnectionStrings:RabbitMq</c>.</summary>
    public static IServiceCollection AddRabbitMqOptions(this IServiceCollection services)
    {
        services.AddOptions<RabbitMqOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                var value = configuration.GetConnectionString(RabbitMqOptions.ConnectionStringName);
                if (string.IsNullOrWhiteSpace(value))
                    return;
                if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps" or "rabbitmq" or "rabbitmqs"))
                    throw new OptionsValidationException(nameof(RabbitMqOptions), typeof(RabbitMqOptions),
                        [$"ConnectionStrings:{RabbitMqOptions.ConnectionStringName} must be an amqp:// URI, e.g. {RabbitMqOptions.DefaultConnectionString}"]);
                options.ConnectionString = uri;
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return services;
    }

    /// <summary>MassTransit with usage telemetry off: it would call out to the internet.</summary>
    public static IServiceCollection AddSegmentNovuMassTransit(this IServiceCollection services,
        Action<IBusRegistrationConfigurator> configure)
    {
        services.AddRabbitMqOptions();
        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            configure(x);
        });
        return services;
    }

    /// <summary>Connects to the configured broker with publisher confirms on.</summary>
    public static void UseSegmentNovuHost(this IRabbitMqBusFactoryConfigurator cfg, IBusRegistrationContext context, string connectionName)
    {
        var options = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
        cfg.Host(options.ConnectionString, connectionName, h =>
        {
            // Publish/Send complete only once the broker confirmed the message: the ingest API answers 2xx on that.
            h.PublisherConfirmation = true;
            h.RequestedConnectionTimeout(TimeSpan.FromSeconds(5));
        });
    }

    /// <summary>
    /// Declares every consumer queue from the publishing side and binds it to its message exchange, so an
    /// event published while no worker has ever started is kept in its queue instead of being dropped by an
    /// exchange with no bindings.
    /// </summary>
    public static void DeclareSegmentQueues(this IRabbitMqBusFactoryConfigurator cfg, RejectedQueueOptions? rejected = null)
    {
        BindQueue<IdentifyEvent>(cfg, SegmentQueues.Identify);
        BindQueue<TrackEvent>(cfg, SegmentQueues.Track);
        BindQueue<PageEvent>(cfg, SegmentQueues.Page);
        BindQueue<ScreenEvent>(cfg, SegmentQueues.Screen);
        BindQueue<GroupEvent>(cfg, SegmentQueues.Group);
        BindQueue<DeleteEvent>(cfg, SegmentQueues.Delete);
        BindQueue<AliasEvent>(cfg, SegmentQueues.Alias);
        cfg.DeclareRejectedQueue(rejected);
    }

    static void BindQueue<T>(IRabbitMqBusFactoryConfigurator cfg, string queue)
        where T : class
    {
        var exchange = cfg.MessageTopology.GetMessageTopology<T>().EntityName;
        cfg.Publish<T>(p => p.BindQueue(exchange, queue));
    }
}
