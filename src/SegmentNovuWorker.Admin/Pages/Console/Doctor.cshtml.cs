using Microsoft.Extensions.Options;
using SegmentNovuWorker.Admin.Api;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.Doctor;

namespace SegmentNovuWorker.Admin.Pages.Console;

/// <summary>The setup checks of <c>segment-novu doctor</c>, on this process's configuration.</summary>
public sealed class DoctorModel(IConfiguration configuration, BrokerConnector broker, IHttpClientFactory clients, IOptions<AdminOptions> options) : ConsolePage
{
    public DoctorReport? Report { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        using var http = clients.CreateClient(nameof(SetupDoctor));
        http.Timeout = TimeSpan.FromSeconds(10);
        Report = await new SetupDoctor(configuration, broker, http).RunAsync(new DoctorTargets(options.Value.IngestUrls, options.Value.WorkerUrls), cancellationToken);
    }
}
