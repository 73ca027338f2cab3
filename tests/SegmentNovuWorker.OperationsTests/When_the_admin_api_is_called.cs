using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>The admin API (its own listener, <c>Admin:Urls</c>): the key is required, and it answers what the tool answers.</summary>
public sealed class When_the_admin_api_is_called(MixedDeadLettersFixture fixture) : IClassFixture<MixedDeadLettersFixture>
{
    SegmentNovuStack Stack => fixture.Stack;

    HttpClient Client(string? key = DeadLetterStack.AdminKey)
    {
        var client = Stack.CreateAdminClient();
        if (key is not null)
            client.DefaultRequestHeaders.Add("X-Admin-Key", key);
        return client;
    }

    static async Task<JsonNode> JsonOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    static void AssertSameJson(JsonNode expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"Expected\n{expected.ToJsonString()}\nbut the admin API answered\n{actual.ToJsonString()}");

    [Theory]
    [InlineData("/admin/dlq")]
    [InlineData("/admin/dlq/summary")]
    [InlineData("/admin/queues")]
    [InlineData("/admin/dlq/messages/rejected-1")]
    public async Task Should_answer_401_without_the_key(string path)
    {
        using var client = Client(key: null);

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Should_answer_401_with_a_wrong_key_and_change_nothing()
    {
        using var client = Client("not-the-key");

        using var response = await client.PostAsync("/admin/dlq/purge?all=true&yes=true", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(6u, await DeadLetterStack.ErrorCountAsync(Stack, CallQueues.Track));
    }

    [Fact]
    public async Task Should_not_exist_on_the_public_ingest_listener_even_with_the_key()
    {
        using var client = Stack.CreateIngestClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", DeadLetterStack.AdminKey);

        using var list = await client.GetAsync("/admin/dlq");
        using var purge = await client.PostAsync("/admin/dlq/purge?all=true&yes=true", null);

        Assert.Equal(HttpStatusCode.NotFound, list.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, purge.StatusCode);
        Assert.Equal(6u, await DeadLetterStack.ErrorCountAsync(Stack, CallQueues.Track));
        Assert.True(System.Net.IPAddress.IsLoopback(System.Net.IPAddress.Parse(Stack.AdminUrl!.Host)));
        Assert.NotEqual(Stack.IngestUrl.Port, Stack.AdminUrl.Port);
    }

    [Fact]
    public async Task Should_accept_the_key_as_a_bearer_token()
    {
        using var client = Client(key: null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DeadLetterStack.AdminKey);

        using var response = await client.GetAsync("/admin/dlq");

        Assert.Equal(7, (int)(await JsonOf(response))["matching"]!);
    }

    [Fact]
    public async Task Should_list_the_same_dead_letters_as_the_tool()
    {
        var cli = await Cli.RunAsync(Stack, "dlq", "list", "--json", "--reason", "novu-rejected");
        using var client = Client();

        using var response = await client.GetAsync("/admin/dlq?reason=novu-rejected");

        AssertSameJson(cli.Json, await JsonOf(response));
    }

    [Fact]
    public async Task Should_summarise_and_show_as_the_tool_does()
    {
        using var client = Client();

        AssertSameJson((await Cli.RunAsync(Stack, "dlq", "summary", "--json")).Json, await JsonOf(await client.GetAsync("/admin/dlq/summary")));
        AssertSameJson((await Cli.RunAsync(Stack, "dlq", "show", "unmapped-2", "--json")).Json,
            await JsonOf(await client.GetAsync("/admin/dlq/messages/unmapped-2")));
    }

    [Fact]
    public async Task Should_say_what_a_purge_without_yes_would_remove_and_remove_nothing()
    {
        using var client = Client();

        var preview = await JsonOf(await client.PostAsync("/admin/dlq/purge?event=Order%20Completed", null));

        Assert.True((bool)preview["dryRun"]!);
        Assert.Equal(2, (int)preview["matched"]!);
        Assert.Equal(6u, await DeadLetterStack.ErrorCountAsync(Stack, CallQueues.Track));
    }

    [Fact]
    public async Task Should_export_the_same_ndjson_as_the_tool()
    {
        var cli = await Cli.RunAsync(Stack, "dlq", "export", "--reason", "unmapped-event");
        using var client = Client();

        using var response = await client.GetAsync("/admin/dlq/export?reason=unmapped-event");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cli.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), lines);
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public async Task Should_list_the_service_queues()
    {
        using var client = Client();

        var queues = (await JsonOf(await client.GetAsync("/admin/queues"))).AsArray().Select(q => (string)q!["name"]!).ToList();

        Assert.Contains(CallQueues.PartitionQueueOf("user-rejected-1"), queues);
        Assert.Contains(SegmentQueues.ErrorQueueOf(CallQueues.PartitionQueueOf("user-rejected-1")), queues);
        Assert.Contains(SegmentQueues.ErrorQueueOf(CallQueues.PartitionQueueOf("anon-1")), queues);
    }

    [Fact]
    public async Task Should_answer_404_for_a_message_that_is_not_dead_lettered()
    {
        using var client = Client();

        using var response = await client.GetAsync("/admin/dlq/messages/never-sent");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

/// <summary>Without <c>Admin:ApiKey</c> the admin API does not exist.</summary>
public sealed class When_no_admin_key_is_configured : IAsyncLifetime
{
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(startWorker: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Should_not_map_the_admin_routes()
    {
        using var client = _stack.CreateIngestClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", "");

        using var response = await client.GetAsync("/admin/dlq");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

/// <summary>A replay over the admin API delivers as the tool's does.</summary>
public sealed class When_dead_letters_are_replayed_over_the_admin_api : IAsyncLifetime
{
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await DeadLetterStack.StartWithMixAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Should_deliver_the_chosen_events_once()
    {
        using var client = _stack.CreateAdminClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", DeadLetterStack.AdminKey);

        using var response = await client.PostAsync("/admin/dlq/replay?reason=novu-rejected", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(3, (int)report["done"]!);
        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Notifications.Count == 3, "Novu notified the three replayed events");
        Assert.Equal(DeadLetterStack.Rejected, _stack.Novu.Notifications.Select(n => n.TransactionId).Order());
        Assert.Equal(3u, await DeadLetterStack.ErrorCountAsync(_stack, CallQueues.Track));
    }

    [Fact]
    public async Task Should_refuse_a_replay_that_names_nothing()
    {
        using var client = _stack.CreateAdminClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", DeadLetterStack.AdminKey);

        using var response = await client.PostAsync("/admin/dlq/replay", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(6u, await DeadLetterStack.ErrorCountAsync(_stack, CallQueues.Track));
    }
}
