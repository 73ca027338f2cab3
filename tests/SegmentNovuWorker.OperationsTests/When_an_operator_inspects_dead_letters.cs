using System.Text.Json.Nodes;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary><c>dlq list</c>, <c>summary</c>, <c>show</c>, <c>export</c> and <c>queues</c> over dead letters the real worker made.</summary>
public sealed class When_an_operator_inspects_dead_letters(MixedDeadLettersFixture fixture) : IClassFixture<MixedDeadLettersFixture>
{
    SegmentNovuStack Stack => fixture.Stack;

    static IEnumerable<JsonNode> Items(CliRun run) => run.Json["items"]!.AsArray().Select(i => i!);

    [Fact]
    public async Task Should_list_every_dead_letter_with_its_reason_and_event()
    {
        var run = await Cli.RunAsync(Stack, "dlq", "list", "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal(7, (int)run.Json["matching"]!);
        var byId = Items(run).ToDictionary(i => (string)i["messageId"]!);
        string[] expected = [.. DeadLetterStack.Rejected, .. DeadLetterStack.Unmapped, .. DeadLetterStack.NoUser];
        Assert.Equal(expected.Order(), byId.Keys.Order());
        Assert.All(DeadLetterStack.Rejected, id =>
        {
            Assert.Equal("novu-rejected", (string)byId[id]["reason"]!);
            Assert.Equal("track", (string)byId[id]["type"]!);
            Assert.Equal("User Registered", (string)byId[id]["eventName"]!);
            Assert.Equal("user-" + id, (string)byId[id]["userId"]!);
            Assert.Equal(CallQueues.PartitionQueueOf("user-" + id), (string)byId[id]["originalQueue"]!);
            Assert.Equal(422, (int)byId[id]["httpStatus"]!);
            Assert.Equal("subscriber is not valid", (string)byId[id]["novuMessage"]!);
            Assert.Equal(1, (int)byId[id]["attempts"]!);
            Assert.NotNull(byId[id]["firstFailureAt"]);
        });
        Assert.All(DeadLetterStack.Unmapped, id => Assert.Equal("unmapped-event", (string)byId[id]["reason"]!));
        Assert.All(DeadLetterStack.NoUser, id => Assert.Equal("missing-user-id", (string)byId[id]["reason"]!));
        Assert.Equal("identify", (string)byId[DeadLetterStack.NoUser[0]]["type"]!);
        Assert.Equal(SegmentQueues.ErrorQueueOf(CallQueues.PartitionQueueOf("anon-1")), (string)byId[DeadLetterStack.NoUser[0]]["queue"]!);
        Assert.All(byId.Values, i => Assert.NotNull(i["lastFailureAt"]));
    }

    [Fact]
    public async Task Should_keep_every_dead_letter_in_its_order_however_often_it_is_read()
    {
        // Each read hands the messages back to the quorum queue, which counts it as a return: more reads than RabbitMQ
        // 4.x's default delivery limit (20) must still find them all, in the same order.
        var first = await Cli.RunAsync(Stack, "dlq", "list", "--json");
        for (var read = 0; read < 25; read++)
            Assert.Equal(ExitCodes.Ok, (await Cli.RunAsync(Stack, "dlq", "list", "--json")).ExitCode);
        var last = await Cli.RunAsync(Stack, "dlq", "list", "--json");

        Assert.Equal(7, (int)last.Json["matching"]!);
        Assert.Equal(Items(first).Select(i => (string)i["messageId"]!), Items(last).Select(i => (string)i["messageId"]!));
    }

    [Fact]
    public async Task Should_show_a_table_with_one_row_per_dead_letter_by_default()
    {
        var run = await Cli.RunAsync(Stack, "dlq", "list");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var lines = run.Output.TrimEnd().Split('\n');
        Assert.StartsWith("MESSAGE ID", lines[0]);
        Assert.Equal(7, lines.Count(l => l.Contains("rejected-") || l.Contains("unmapped-") || l.Contains("no-user-")));
        Assert.Equal("Page 1 of 1: 7 dead letter(s) match.", lines[^1]);
    }

    [Fact]
    public async Task Should_page_through_dead_letters()
    {
        var pages = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            var run = await Cli.RunAsync(Stack, "dlq", "list", "--json", "--page-size", "3", "--page", page.ToString());
            Assert.Equal(7, (int)run.Json["matching"]!);
            pages.AddRange(Items(run).Select(i => (string)i["messageId"]!));
        }

        Assert.Equal(7, pages.Count);
        Assert.Equal(7, pages.Distinct().Count());
    }

    [Theory]
    [InlineData("--reason", "novu-rejected", 3)]
    [InlineData("--reason", "missing-user-id", 2)]
    [InlineData("--event", "Order Completed", 2)]
    [InlineData("--type", "identify", 1)]
    [InlineData("--since", "1h", 7)]
    [InlineData("--until", "1h", 0)]
    public async Task Should_filter_dead_letters(string option, string value, int expected)
    {
        var run = await Cli.RunAsync(Stack, "dlq", "list", "--json", option, value);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal(expected, (int)run.Json["matching"]!);
    }

    [Fact]
    public async Task Should_filter_dead_letters_by_the_partition_queue_they_came_from()
    {
        var queue = CallQueues.PartitionQueueOf("user-rejected-1");
        string[] users = [.. DeadLetterStack.Rejected.Concat(DeadLetterStack.Unmapped).Select(id => "user-" + id), "anon-1", "anon-1"];

        var run = await Cli.RunAsync(Stack, "dlq", "list", "--json", "--queue", queue);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal(users.Count(u => CallQueues.PartitionQueueOf(u) == queue), (int)run.Json["matching"]!);
    }

    [Fact]
    public async Task Should_group_dead_letters_by_reason_and_event_name()
    {
        var run = await Cli.RunAsync(Stack, "dlq", "summary", "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var groups = run.Json.AsArray()
            .Select(g => ((string)g!["reason"]!, (string)g["type"]!, (string?)g["eventName"], (int)g["count"]!))
            .ToHashSet();
        Assert.Equal(new HashSet<(string, string, string?, int)>
        {
            ("novu-rejected", "track", "User Registered", 3),
            ("unmapped-event", "track", "Order Completed", 2),
            ("missing-user-id", "track", "User Registered", 1),
            ("missing-user-id", "identify", null, 1),
        }, groups);
    }

    [Fact]
    public async Task Should_show_the_full_event_and_every_fault_header()
    {
        var run = await Cli.RunAsync(Stack, "dlq", "show", "rejected-1");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("Reason             novu-rejected", run.Output);
        Assert.Contains("MT-Fault-ExceptionType", run.Output);
        Assert.Contains("MT-Fault-InputAddress", run.Output);
        Assert.Contains("Segment-MessageId", run.Output);
        Assert.Contains("\"event\": \"User Registered\"", run.Output);
        Assert.Contains("\"userId\": \"user-rejected-1\"", run.Output);

        var json = await Cli.RunAsync(Stack, "dlq", "show", "rejected-1", "--json");
        var detail = Assert.Single(json.Json.AsArray())!;
        Assert.Equal("rejected-1", (string)detail["event"]!["messageId"]!);
        Assert.Equal("rejected-1", (string)detail["headers"]![DeadLetterHeaders.SegmentMessageId]!);
        Assert.Contains("NovuRejectedException", (string)detail["headers"]!["MT-Fault-ExceptionType"]!);
    }

    [Fact]
    public async Task Should_answer_not_found_for_a_message_id_that_is_not_dead_lettered()
    {
        var run = await Cli.RunAsync(Stack, "dlq", "show", "never-sent");

        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Contains("No dead letter has Segment messageId 'never-sent'", run.Error);
    }

    [Fact]
    public async Task Should_leave_every_dead_letter_in_place_after_reading()
    {
        await Cli.RunAsync(Stack, "dlq", "list");
        await Cli.RunAsync(Stack, "dlq", "show", "unmapped-1");
        await Cli.RunAsync(Stack, "dlq", "export", "--reason", "novu-rejected");

        Assert.Equal(6u, await DeadLetterStack.ErrorCountAsync(Stack, CallQueues.Track));
        Assert.Equal(1u, await DeadLetterStack.ErrorCountAsync(Stack, CallQueues.Identify));
    }

    [Fact]
    public async Task Should_export_matching_dead_letters_as_ndjson()
    {
        var file = Path.GetTempFileName();
        try
        {
            var run = await Cli.RunAsync(Stack, "dlq", "export", "--reason", "unmapped-event", "-o", file);

            Assert.Equal(ExitCodes.Ok, run.ExitCode);
            var lines = await File.ReadAllLinesAsync(file);
            Assert.Equal(2, lines.Length);
            var exported = lines.Select(l => JsonNode.Parse(l)!).ToList();
            Assert.Equal(DeadLetterStack.Unmapped, exported.Select(e => (string)e["deadLetter"]!["messageId"]!).Order());
            Assert.All(exported, e => Assert.Equal("Order Completed", (string)e["event"]!["event"]!));
            Assert.All(exported, e => Assert.NotNull(e["envelope"]!["messageType"]));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Should_list_every_queue_of_the_service_with_its_counts()
    {
        // The management API samples its counts and its consumers every few seconds: wait until both have caught up (a run
        // that asked right after the worker started saw every partition's consumer missing).
        var errorQueueName = SegmentQueues.ErrorQueueOf(CallQueues.PartitionQueueOf("user-rejected-1"));
        JsonNode? errorQueue = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        CliRun run;
        do
        {
            run = await Cli.RunAsync(Stack, "queues", "--json");
            Assert.Equal(ExitCodes.Ok, run.ExitCode);
            errorQueue = run.Json.AsArray().FirstOrDefault(q => (string)q!["name"]! == errorQueueName);
            if (errorQueue is not null && run.Json.AsArray().Where(q => (string)q!["kind"]! == "error").Sum(q => (long)q!["ready"]!) == 7
                && run.Json.AsArray().Where(q => (string)q!["kind"]! == "partition").All(q => q!["activeConsumer"] is not null))
                break;
            await Task.Delay(500);
        } while (DateTime.UtcNow < deadline);

        Assert.NotNull(errorQueue);
        Assert.Equal("error", (string)errorQueue["kind"]!);
        Assert.Equal(7, run.Json.AsArray().Where(q => (string)q!["kind"]! == "error").Sum(q => (long)q!["ready"]!));
        var partitions = run.Json.AsArray().Where(q => (string)q!["kind"]! == "partition").ToList();
        Assert.Equal(CallQueues.Partitions, partitions.Count);
        Assert.All(partitions, p =>
        {
            Assert.True((long)p!["consumers"]! >= 1, $"the running worker consumes {p["name"]}");
            Assert.StartsWith("segment-novu-worker@", (string?)p["activeConsumer"] ?? "");
        });
    }
}
