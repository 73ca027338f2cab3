using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary><c>segment-novu mapping check|test</c> and <c>POST /admin/mapping/test</c>: see before you send.</summary>
public sealed class When_an_operator_tests_the_mapping : IDisposable
{
    const string Mapping = """
        {"Novu": {"Workflows": [
          {"Event": "Order Completed", "When": "properties.total > 0", "Workflow": "order-receipt",
           "Payload": {"orderId": "$.properties.order_id", "total": "{{ properties.total }} {{ properties.currency }}"},
           "To": {"email": "$.context.traits.email"}, "Actor": "$.properties.store_id"},
          {"Event": "Order Completed", "When": "properties.total < 0", "Workflow": "refund-issued"}
        ]}}
        """;

    const string Order = """
        {"type":"track","messageId":"m-1","userId":"u-1","event":"Order Completed",
         "properties":{"order_id":"o-42","total":27.5,"currency":"USD","store_id":"store-paris"},
         "context":{"traits":{"email":"peter@example.com"}}}
        """;

    readonly string _folder = Directory.CreateTempSubdirectory("segment-novu-mapping-").FullName;

    string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Should_print_the_request_the_worker_would_send_and_which_rule_matched()
    {
        var run = await Cli.RunAsync("mapping", "test", "--config", Write("appsettings.json", Mapping), "--event", Write("order.json", Order));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("rule 'order-receipt' (Novu:Workflows:0) → order-receipt: matched: properties.total > 0", run.Output);
        Assert.Contains("rule 'refund-issued' (Novu:Workflows:1) → refund-issued: condition false: properties.total < 0 (properties.total = 27.5)", run.Output);
        Assert.Contains("POST /v1/events/trigger", run.Output);
        Assert.Contains("\"total\": \"27.5 USD\"", run.Output);
        Assert.Contains("\"transactionId\": \"m-1:order-receipt\"", run.Output);
    }

    [Fact]
    public async Task Should_say_why_no_rule_took_the_event()
    {
        var run = await Cli.RunAsync("mapping", "test", "--config", Write("appsettings.json", Mapping),
            "--event", Write("order.json", Order.Replace("Order Completed", "Order Shipped", StringComparison.Ordinal)));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("would skip it (unmapped-event): no rule in Novu:Workflows takes track 'Order Shipped'", run.Output);
    }

    [Fact]
    public async Task Should_check_a_configuration_and_exit_non_zero_naming_each_mistake()
    {
        var good = await Cli.RunAsync("mapping", "check", "--config", Write("good.json", Mapping));
        var bad = await Cli.RunAsync("mapping", "check", "--config", Write("bad.json", """
            {"Novu": {"Workflows": [{"Event": "Checkout: Completed", "Workflow": "Receipt Email", "When": "properties.total >",
                                     "Payload": {"t": "{{ properties.total | tims: 2 }}"}}]}}
            """));

        Assert.Equal((0, "OK: 2 track, 0 page and 0 screen rule(s)."), (good.ExitCode, good.Output.Split('\n')[0]));
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("Novu:Workflows:0:Workflow: 'Receipt Email' is not a Novu workflow identifier", bad.Error);
        Assert.Contains("Novu:Workflows:0:When: expected a path or a value", bad.Error);
        Assert.Contains("Novu:Workflows:0:Payload:t: template '{{ properties.total | tims: 2 }}' fails: Undefined filter 'tims'", bad.Error);
    }

    [Fact]
    public async Task Should_answer_on_the_admin_api_what_the_tool_answers()
    {
        const string adminKey = DeadLetterStack.AdminKey;
        await using var stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
        {
            ["Admin:ApiKey"] = adminKey,
            ["Novu:Workflows:0:Event"] = "Order Completed",
            ["Novu:Workflows:0:When"] = "properties.total > 0",
            ["Novu:Workflows:0:Workflow"] = "order-receipt",
            ["Novu:Workflows:0:Payload:orderId"] = "$.properties.order_id",
            ["Novu:Workflows:0:Payload:total"] = "{{ properties.total }} {{ properties.currency }}",
            ["Novu:Workflows:0:To:email"] = "$.context.traits.email",
            ["Novu:Workflows:0:Actor"] = "$.properties.store_id",
            ["Novu:Workflows:1:Event"] = "Order Completed",
            ["Novu:Workflows:1:When"] = "properties.total < 0",
            ["Novu:Workflows:1:Workflow"] = "refund-issued",
        }, startWorker: false);
        using var client = stack.CreateAdminClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", adminKey);

        // The stack also maps "User Registered" → welcome for every host; that rule does not take this event, so both answers agree.
        var tool = await Cli.RunAsync("mapping", "test", "--json", "--config", Write("appsettings.json", Mapping), "--event", Write("order.json", Order));
        using var response = await client.PostAsync("/admin/mapping/test", new StringContent(Order, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var api = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(JsonNode.DeepEquals(tool.Json, api), $"the tool said\n{tool.Output}\nthe admin API said\n{api.ToJsonString()}");
        Assert.Equal("Trigger", api["verdict"]!.ToString());
    }

    [Fact]
    public async Task Should_say_in_words_that_a_template_ran_past_its_budget()
    {
        var loops = Write("loops.json", """
            {"Novu": {"Workflows": [{"Event": "Order Completed", "Workflow": "order-receipt",
              "Payload": {"grid": "{% for a in properties.xs %}{% for b in properties.xs %}{% for c in properties.xs %}.{% endfor %}{% endfor %}{% endfor %}"}}]}}
            """);
        var xs = string.Join(",", Enumerable.Range(0, 60));
        var run = await Cli.RunAsync("mapping", "test", "--config", loops, "--event", Write("big.json",
            $$$"""{"type":"track","messageId":"m-2","userId":"u-1","event":"Order Completed","properties":{"xs":[{{{xs}}}]}}"""));

        Assert.Contains("mapping-failed", run.Output);
        Assert.Contains("the template ran past its budget for one event (100000 steps, 20 nested blocks)", run.Output);
        Assert.DoesNotContain("cyclic include", run.Output);
    }

    [Fact]
    public async Task Should_stop_a_worker_started_with_a_bad_mapping_naming_the_keys_without_a_stack_trace()
    {
        using var worker = BuiltProcess.Start("SegmentNovuWorker.Worker", "SegmentNovuWorker.Worker.dll", new Dictionary<string, string?>
        {
            ["Novu__Workflows__0__Event"] = "Checkout: Completed",
            ["Novu__Workflows__0__Workflow"] = "Receipt Email",
            ["Novu__Workflows__0__When"] = "properties.total >",
            ["Novu__ApiKey"] = "k",
            ["ConnectionStrings__RabbitMq"] = "amqp://guest:guest@127.0.0.1:1/",
        });

        var exitCode = await worker.WaitForExitAsync(TimeSpan.FromMinutes(2)); // generous: the machine is shared
        var output = string.Join("\n", worker.Output);

        Assert.Equal(78, exitCode);
        Assert.Contains("The worker cannot start: the Novu mapping", output);
        Assert.Contains("Novu:Workflows:0:Workflow: 'Receipt Email' is not a Novu workflow identifier", output);
        Assert.Contains("Novu:Workflows:0:When: expected a path or a value", output);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Unhandled exception", output);
    }
}
