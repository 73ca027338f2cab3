using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>
/// One stack configured as <c>deploy/run-local.sh</c> runs it (open front doors, the stand-in's workflows), whose Novu
/// environment holds 120 workflows (more than one page of Novu's list) with the mapped one last, and an inactive one.
/// </summary>
public sealed class SetupStackFixture : IAsyncLifetime
{
    public SegmentNovuStack Stack { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["StandIn:WorkflowStatuses:receipt"] = "INACTIVE",
            ["Admin:ApiKey"] = DeadLetterStack.AdminKey,
        };
        for (var i = 0; i < 120; i++)
            settings[$"StandIn:Workflows:{i}"] = $"another-workflow-{i:000}";
        settings["StandIn:Workflows:120"] = "welcome";
        Stack = await SegmentNovuStack.StartAsync(settings);
    }

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}

/// <summary><c>segment-novu doctor</c> and <c>GET /admin/doctor</c>: the setup mistakes found before the first event.</summary>
public sealed class When_the_setup_is_checked(SetupStackFixture fixture) : IClassFixture<SetupStackFixture>
{
    SegmentNovuStack Stack => fixture.Stack;

    /// <summary>Runs the doctor with the services' configuration, changed by <paramref name="changes"/>.</summary>
    Task<CliRun> DoctorAsync(params (string Key, string? Value)[] changes)
    {
        var environment = new Dictionary<string, string?>(Stack.Settings);
        foreach (var (key, value) in changes)
            environment[key] = value;
        return Cli.RunWithEnvironmentAsync(environment, "doctor", "--worker-url", Stack.WorkerUrl.ToString(), "--ingest-url", Stack.IngestUrl.ToString());
    }

    static string LineOf(CliRun run, string check) =>
        run.Output.Split('\n').FirstOrDefault(l => l.Contains($"  {check}: ", StringComparison.Ordinal)) ?? throw new Xunit.Sdk.XunitException($"no '{check}' line in:\n{run.Output}");

    [Fact]
    public async Task Should_pass_on_the_run_commands_stack()
    {
        var run = await DoctorAsync();

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.StartsWith("ok", LineOf(run, "workflows"));
        Assert.StartsWith("ok", LineOf(run, "queues"));
        Assert.StartsWith("ok", LineOf(run, "worker"));
        Assert.StartsWith("ok", LineOf(run, "ingest"));
        Assert.StartsWith("warn", LineOf(run, "segment-secret"));
        Assert.Contains("All checks passed.", run.Output);
    }

    [Fact]
    public async Task Should_fail_on_a_wrong_novu_key_naming_the_setting_not_the_key()
    {
        var run = await DoctorAsync(("Novu:ApiKey", "wrong-novu-key-1234"));

        Assert.Equal(5, run.ExitCode);
        Assert.StartsWith("FAIL", LineOf(run, "novu-key"));
        Assert.Contains("refused Novu:ApiKey (401", LineOf(run, "novu-key"));
        Assert.Contains("fix: Set Novu__ApiKey", run.Output);
        Assert.DoesNotContain("wrong-novu-key-1234", run.Output + run.Error);
    }

    [Fact]
    public async Task Should_fail_on_an_event_mapped_to_a_workflow_novu_does_not_have()
    {
        var run = await DoctorAsync(("Novu:Workflows:Order Completed", "order-receipt"));

        Assert.Equal(5, run.ExitCode);
        Assert.StartsWith("FAIL", LineOf(run, "workflows"));
        Assert.Contains("'Order Completed' → order-receipt: no such workflow", LineOf(run, "workflows"));
    }

    [Fact]
    public async Task Should_fail_on_an_event_mapped_to_an_inactive_workflow()
    {
        var run = await DoctorAsync(("Novu:Workflows:Order Completed", "receipt"));

        Assert.Equal(5, run.ExitCode);
        Assert.Contains("'Order Completed' → receipt: the workflow is INACTIVE", LineOf(run, "workflows"));
    }

    [Fact]
    public async Task Should_fail_on_a_closed_ingest_without_a_segment_secret()
    {
        var run = await DoctorAsync(("Ingest:AllowUnauthenticated", "false"));

        Assert.Equal(5, run.ExitCode);
        Assert.StartsWith("FAIL", LineOf(run, "segment-secret"));
        Assert.Contains("fix: Set Segment__SharedSecret", run.Output);
    }

    [Fact]
    public async Task Should_pass_the_secret_check_once_a_secret_is_set_and_never_print_it()
    {
        var run = await DoctorAsync(("Ingest:AllowUnauthenticated", "false"), ("Segment:SharedSecret", "a-segment-secret-5678"));

        Assert.StartsWith("ok", LineOf(run, "segment-secret"));
        Assert.DoesNotContain("a-segment-secret-5678", run.Output + run.Error);
    }

    [Fact]
    public async Task Should_fail_on_a_worker_that_does_not_answer()
    {
        var environment = new Dictionary<string, string?>(Stack.Settings);
        var run = await Cli.RunWithEnvironmentAsync(environment, "doctor", "--worker-url", "http://127.0.0.1:9/", "--json");

        Assert.Equal(5, run.ExitCode);
        var worker = run.Json["checks"]!.AsArray().Single(c => (string?)c!["name"] == "worker")!;
        Assert.Equal("Failed", (string?)worker["outcome"]);
        Assert.Equal(false, (bool?)run.Json["passed"]);
    }

    [Fact]
    public async Task Should_answer_the_same_checks_in_the_admin_api()
    {
        using var client = Stack.CreateAdminClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", DeadLetterStack.AdminKey);

        var report = await client.GetFromJsonAsync<JsonNode>("/admin/doctor");

        var checks = report!["checks"]!.AsArray().ToDictionary(c => (string)c!["name"]!, c => (string)c!["outcome"]!);
        Assert.Equal("Ok", checks["novu-key"]);
        Assert.Equal("Ok", checks["workflows"]);
        Assert.Equal("Ok", checks["queues"]);
    }

    [Fact]
    public async Task Should_find_novus_answers_in_the_stand_in_for_each_workflow_state()
    {
        using var novu = new HttpClient { BaseAddress = Stack.NovuUrl };
        novu.DefaultRequestHeaders.Add("Authorization", "ApiKey " + SegmentNovuStack.NovuApiKey);

        using var tooMany = await novu.GetAsync("/v2/workflows?limit=101");
        using var inactive = await novu.PostAsJsonAsync("/v1/events/trigger", new { name = "receipt", to = "u-1", transactionId = "t-1" });
        using var missing = await novu.PostAsJsonAsync("/v1/events/trigger", new { name = "no-such-workflow", to = "u-1" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMany.StatusCode);
        Assert.Equal(HttpStatusCode.Created, inactive.StatusCode);
        Assert.Equal("trigger_not_active", (string?)(await inactive.Content.ReadFromJsonAsync<JsonNode>())!["data"]!["status"]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
        Assert.Contains("workflow_not_found", await missing.Content.ReadAsStringAsync());
        Assert.DoesNotContain(Stack.Novu.Notifications, n => n.Workflow == "receipt");
    }
}
