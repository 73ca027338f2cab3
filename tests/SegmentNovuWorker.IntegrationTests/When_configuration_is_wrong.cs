using Microsoft.Extensions.Options;
using SegmentNovuWorker.Ingest;
using SegmentNovuWorker.Testing;
using SegmentNovuWorker.Worker;

namespace SegmentNovuWorker.IntegrationTests;

/// <summary>A wrong or missing setting stops the process at start with a message that names the key.</summary>
public sealed class When_configuration_is_wrong
{
    static readonly Dictionary<string, string?> Quiet = new() { ["Logging:LogLevel:Default"] = "None" };

    static async Task<string> StartFailureAsync(Func<string[], Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>, Microsoft.AspNetCore.Builder.WebApplication> create,
        string project, Dictionary<string, string?> settings)
    {
        foreach (var (key, value) in Quiet)
            settings.TryAdd(key, value);
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => LoopbackHost.StartAsync(create, project, settings));
        return failure.Message;
    }

    [Fact]
    public async Task Should_refuse_to_start_the_worker_without_a_novu_api_key()
    {
        var message = await StartFailureAsync(WorkerApplication.Create, "SegmentNovuWorker.Worker", []);

        Assert.Contains("Novu:ApiKey", message);
    }

    [Fact]
    public async Task Should_refuse_a_broker_address_that_is_not_an_amqp_uri()
    {
        var message = await StartFailureAsync(IngestApplication.Create, "SegmentNovuWorker.Ingest",
            new() { ["ConnectionStrings:RabbitMq"] = "localhost:5672", ["Ingest:AllowUnauthenticated"] = "true" });

        Assert.Contains("ConnectionStrings:RabbitMq", message);
    }

    [Fact]
    public async Task Should_refuse_a_cluster_node_that_is_not_host_or_host_and_port()
    {
        var message = await StartFailureAsync(IngestApplication.Create, "SegmentNovuWorker.Ingest",
            new() { ["RabbitMq:Hosts:0"] = "rabbit-1:5672", ["RabbitMq:Hosts:1"] = "rabbit-2:notaport", ["Ingest:AllowUnauthenticated"] = "true" });

        Assert.Contains("RabbitMq:Hosts:1", message);
        Assert.DoesNotContain("RabbitMq:Hosts:0", message);
    }

    [Fact]
    public async Task Should_refuse_an_empty_workflow_mapping()
    {
        var message = await StartFailureAsync(WorkerApplication.Create, "SegmentNovuWorker.Worker",
            new() { ["Novu:ApiKey"] = "k", ["Novu:Workflows:Order Completed"] = "" });

        Assert.Contains("Novu:Workflows:Order Completed", message);
    }

    [Fact]
    public async Task Should_refuse_a_subscriber_memory_of_no_size()
    {
        var message = await StartFailureAsync(WorkerApplication.Create, "SegmentNovuWorker.Worker",
            new() { ["Novu:ApiKey"] = "k", ["Novu:Subscribers:CacheSize"] = "0" });

        Assert.Contains("Novu:Subscribers:CacheSize", message);
    }

    [Fact]
    public async Task Should_refuse_sub_second_redeliveries()
    {
        var message = await StartFailureAsync(WorkerApplication.Create, "SegmentNovuWorker.Worker",
            new() { ["Novu:ApiKey"] = "k", ["Retry:Redelivery:0"] = "00:00:00.100" });

        Assert.Contains("Retry:Redelivery", message);
    }

    [Fact]
    public async Task Should_refuse_the_retired_prefetch_and_name_what_replaced_it()
    {
        var message = await StartFailureAsync(WorkerApplication.Create, "SegmentNovuWorker.Worker",
            new() { ["Novu:ApiKey"] = "k", ["Worker:Prefetch"] = "1000" });

        Assert.Contains("Worker:Prefetch", message);
        Assert.Contains("Worker:MaxHeld", message);
    }
}
