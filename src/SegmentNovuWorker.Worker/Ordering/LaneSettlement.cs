using MassTransit;

namespace SegmentNovuWorker.Worker.Ordering;

/// <summary>
/// What a delivery's lane waits to be told once the delivery is settled: MassTransit acknowledges it after the receive pipe
/// returns (<c>ReceivePipeDispatcher</c>: the pipe, then the acknowledgement, then the observers' <c>PostReceive</c>), so
/// the lane learns it here, from an observer of each partition endpoint, not from <see cref="UserLaneFilter"/>. A handover
/// then closes the channel only once the acknowledgements of what ran are written.
/// </summary>
public sealed class LaneSettlement : IReceiveObserver
{
    sealed class Pending
    {
        readonly List<Action> _actions = [];

        public void Add(Action action)
        {
            lock (_actions)
                _actions.Add(action);
        }

        public void Run()
        {
            Action[] actions;
            lock (_actions)
            {
                actions = [.. _actions];
                _actions.Clear();
            }
            foreach (var action in actions)
                action();
        }
    }

    /// <summary>Runs <paramref name="settled"/> (if any) once <paramref name="context"/>'s delivery is acknowledged, or its dispatch failed.</summary>
    public static void After(ReceiveContext context, Action? settled)
    {
        if (settled is not null)
            context.GetOrAddPayload(() => new Pending()).Add(settled);
    }

    static Task Settled(ReceiveContext context)
    {
        if (context.TryGetPayload<Pending>(out var pending))
            pending.Run();
        return Task.CompletedTask;
    }

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context) => Settled(context);

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class => Task.CompletedTask;

    public Task ReceiveFault(ReceiveContext context, Exception exception) => Settled(context);
}
