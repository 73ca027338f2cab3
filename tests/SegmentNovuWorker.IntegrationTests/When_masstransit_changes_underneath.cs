using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using SegmentNovuWorker.Testing;
using SegmentNovuWorker.Worker.MassTransitSeam;

namespace SegmentNovuWorker.IntegrationTests;

/// <summary>
/// What the worker relies on from MassTransit beyond its documented API (<see cref="MassTransitInternals"/>), checked
/// against the real broker. Run these first after a MassTransit upgrade. The seam's other parts are held by the failure
/// specs: the wait-queue redelivery (<c>When_novu_stays_down</c>), the dead-letter pipe (<c>When_novu_rejects_the_request</c>)
/// and the kill switch (<c>When_novu_has_an_outage</c>).
/// </summary>
public sealed class When_masstransit_changes_underneath
{
    public sealed record SeamPing(string Text);

    sealed class CountingFilter(Action seen) : IFilter<ConsumeContext>
    {
        public void Probe(ProbeContext context) => context.CreateFilterScope("counting");

        public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
        {
            seen();
            return next.Send(context);
        }
    }

    [Fact]
    public async Task Should_run_a_delivery_filter_once_per_delivery_however_many_retries_follow()
    {
        var broker = await RabbitMqBroker.GetAsync();
        var vhost = await broker.CreateVirtualHostAsync();
        var filterRuns = 0;
        var attempts = 0;
        var consumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            x.UsingRabbitMq((_, cfg) =>
            {
                cfg.Host(vhost);
                cfg.ReceiveEndpoint("seam-delivery-filter", e =>
                {
                    e.UseDeliveryFilter(new CountingFilter(() => Interlocked.Increment(ref filterRuns)));
                    e.UseMessageRetry(r => r.Immediate(2));
                    e.Handler<SeamPing>(_ =>
                    {
                        if (Interlocked.Increment(ref attempts) < 3)
                            throw new InvalidOperationException("fails twice");
                        consumed.TrySetResult();
                        return Task.CompletedTask;
                    });
                });
            });
        });
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync();
        try
        {
            await bus.Publish(new SeamPing("once"));
            await consumed.Task.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(3, attempts);
            Assert.Equal(1, filterRuns); // the user lanes depend on it: a retry must not leave and re-enter the lane
        }
        finally
        {
            await bus.StopAsync();
            await broker.DeleteVirtualHostAsync(vhost);
        }
    }
}
