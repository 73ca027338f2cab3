using System.Runtime.CompilerServices;
using MassTransit.Logging;
using MassTransit.Monitoring;

namespace SegmentNovuWorker.IntegrationTests;

/// <summary>
/// MassTransit keeps its metrics in static instruments, created once per process from the meter factory of the first
/// host whose bus starts (<c>LogContextInstrumentationExtensions.TryConfigure</c>); that factory disposes the meter with
/// its host. A service process has one host, so its meter lives as long as it does. This test process starts and
/// stops dozens of hosts: once the first one stopped, MassTransit's instruments were dead for every later spec, and the
/// scrape spec saw no <c>messaging.masstransit.consume</c> whenever another spec's host had started first (CI, 1 of 176).
/// Giving MassTransit a process-lifetime meter, with the options its hosts would give it, before any host starts makes
/// this process what a service process is.
/// </summary>
static class ProcessWideMassTransitMeter
{
    [ModuleInitializer]
    internal static void Configure()
    {
        var options = new InstrumentationOptions();
        new ConfigureDefaultInstrumentationOptions().Configure(options);
        LogContextInstrumentationExtensions.TryConfigure(options);
    }
}
