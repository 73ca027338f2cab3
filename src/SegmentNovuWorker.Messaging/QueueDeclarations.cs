using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace SegmentNovuWorker.Messaging;

/// <summary>A queue a process declares, with its arguments; <paramref name="Create"/>: declared up front when missing.</summary>
public sealed record QueueDeclaration(string Name, IReadOnlyDictionary<string, object> Arguments, bool Create)
{
    /// <summary>The partition queues and the <c>segment-rejected</c> queue (which the ingest publishes to).</summary>
    public static IEnumerable<QueueDeclaration> OfIngest(TopologyOptions topology, RejectedQueueOptions rejected) =>
        [
            .. topology.All.Select(p => SegmentQueues.PartitionQueue(p)).Select(q => new QueueDeclaration(q, QueueArguments.Partition(q), Create: true)),
            new(SegmentQueues.Rejected, QueueArguments.Rejected(rejected), Create: false),
        ];

    /// <summary>
    /// The partition queues, their <c>_error</c> queues (created up front: the broker dead-letters a message past the
    /// delivery limit there, and holds it until the queue exists) and their <c>_skipped</c> queues.
    /// </summary>
    public static IEnumerable<QueueDeclaration> OfWorker(TopologyOptions topology, DeadLetterQueueOptions deadLetters) =>
        topology.All.Select(p => SegmentQueues.PartitionQueue(p)).SelectMany(q => new QueueDeclaration[]
        {
            new(q, QueueArguments.Partition(q), Create: true),
            new(SegmentQueues.ErrorQueueOf(q), QueueArguments.DeadLetters(deadLetters), Create: true),
            new(SegmentQueues.SkippedQueueOf(q), QueueArguments.DeadLetters(deadLetters), Create: false),
        });
}

/// <summary>A queue on the broker that this version cannot declare as it declares it: an upgrade step is missing.</summary>
public sealed class QueueMismatchException(string queue, string brokerReason)
    : Exception($"RabbitMQ refused queue '{queue}' as this version declares it ({brokerReason}). It exists from an earlier " +
        "version as a classic queue, or with other arguments, and RabbitMQ never changes a queue's type or arguments. Move " +
        "its messages out and recreate it as docs/operations.md, \"Upgrading to quorum queues\", describes; then start again.")
{
    public string Queue { get; } = queue;
}

/// <summary>
/// Before the bus starts, declares the process's queues with the arguments of <see cref="QueueArguments"/>: a queue
/// left from an earlier version with other arguments fails start-up with <see cref="QueueMismatchException"/>, naming the
/// queue and the upgrade steps, instead of MassTransit retrying its endpoints forever on 406 PRECONDITION_FAILED. A broker
/// that cannot be reached is not this check's business: MassTransit connects and retries as usual.
/// </summary>
sealed class QueueDeclarationCheck(
    BrokerConnections connections,
    Func<IServiceProvider, IEnumerable<QueueDeclaration>> declarations,
    IServiceProvider services,
    ILogger<QueueDeclarationCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IConnection connection;
        try
        {
            connection = await connections.OpenAsync("segment-novu-queue-check", cancellationToken);
        }
        catch (Exception exception) when (exception is BrokerUnreachableException or OperationInterruptedException)
        {
            logger.LogWarning("Could not check the queues' declarations, the broker is not reachable yet ({Reason}); MassTransit keeps trying", exception.Message);
            return;
        }
        await using (connection)
        {
            foreach (var queue in declarations(services))
                await DeclareAsync(connection, queue, cancellationToken);
        }
    }

    static async Task DeclareAsync(IConnection connection, QueueDeclaration queue, CancellationToken cancellationToken)
    {
        // A refused declaration closes its channel: one channel per queue.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            if (!queue.Create)
                await channel.QueueDeclarePassiveAsync(queue.Name, cancellationToken);
            await channel.QueueDeclareAsync(queue.Name, durable: true, exclusive: false, autoDelete: false,
                queue.Arguments.ForClient(), cancellationToken: cancellationToken);
        }
        catch (OperationInterruptedException exception) when (exception.ShutdownReason?.ReplyCode == 404 && !queue.Create)
        {
            // Not there yet: MassTransit declares it, with the same arguments, when it is first used.
        }
        catch (OperationInterruptedException exception) when (exception.ShutdownReason?.ReplyCode == 406)
        {
            throw new QueueMismatchException(queue.Name, exception.ShutdownReason.ReplyText);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class QueueDeclarationExtensions
{
    /// <summary>Checks (and creates where needed) <paramref name="declarations"/> before anything else starts.</summary>
    public static IServiceCollection AddQueueDeclarationCheck(this IServiceCollection services,
        Func<IServiceProvider, IEnumerable<QueueDeclaration>> declarations)
    {
        services.TryAddSingleton<BrokerConnections>();
        return services.AddHostedService(sp => new QueueDeclarationCheck(
            sp.GetRequiredService<BrokerConnections>(), declarations, sp, sp.GetRequiredService<ILogger<QueueDeclarationCheck>>()));
    }
}
