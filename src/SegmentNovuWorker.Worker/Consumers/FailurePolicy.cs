using MassTransit;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Failures;

namespace SegmentNovuWorker.Worker.Consumers;

/// <summary>
/// Which failures are retried where, for every consumer endpoint. Fatal failures (<see cref="NovuRejectedException"/>,
/// <see cref="EventRejectedException"/>) skip every retry layer and go straight to <c>_error</c>.
/// </summary>
public static class FailurePolicy
{
    public static void UseSegmentNovuFailurePolicy(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
    {
        endpoint.UseMessageRetry(r =>
        {
            r.Intervals(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
            r.Ignore<NovuRejectedException>();
            r.Ignore<EventRejectedException>();
        });
    }
}
