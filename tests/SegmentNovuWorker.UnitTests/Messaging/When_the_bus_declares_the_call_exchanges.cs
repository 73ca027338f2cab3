using MassTransit;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.UnitTests.Messaging;

/// <summary>
/// The contracts carry no MassTransit attribute; the bus is told instead that <see cref="ISegmentEvent"/> gets no exchange,
/// so the exchanges a published event goes through are the ones the broker already has: each call's own, nothing above it.
/// </summary>
public sealed class When_the_bus_declares_the_call_exchanges
{
    [Fact]
    public void Should_declare_each_calls_exchange_and_none_for_the_interface_they_share()
    {
        string[] exchanges = [];
        string[] faultExchanges = [];
        Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.ExcludeSegmentEventFromTopology();
            exchanges = [.. cfg.PublishTopology.GetMessageTopology<IdentifyEvent>().GetBrokerTopology().Exchanges.Select(e => e.ExchangeName)];
            faultExchanges = [.. cfg.PublishTopology.GetMessageTopology<Fault<IdentifyEvent>>().GetBrokerTopology().Exchanges.Select(e => e.ExchangeName)];
        });

        Assert.Equal(["SegmentNovuWorker.Contracts:IdentifyEvent"], exchanges);
        Assert.DoesNotContain(faultExchanges, e => e.Contains("ISegmentEvent", StringComparison.Ordinal));
    }
}
