using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.ConsoleTests;

/// <summary>One stack where Peter's identify and track went through and Paul's track was refused by Novu (422).</summary>
public sealed class TimelineStackFixture : IAsyncLifetime
{
    public const string Peter = "peter-timeline";
    public const string Paul = "paul-timeline";

    public SegmentNovuStack Stack { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stack = await DeadLetterStack.StartAsync();
        Stack.Novu.AddFault(new Fault("/v1/events/trigger", 422, Times: 1, Message: "to.subscriberId: subscriber is not valid", BodyContains: Paul));
        await DeadLetterStack.PostAsync(Stack, [
            DeadLetterStack.Identify($"{Peter}-identify", Peter), DeadLetterStack.Track($"{Peter}-track", "User Registered", Peter),
            DeadLetterStack.Track($"{Paul}-track", "User Registered", Paul)]);
        await IndexedAsync(Peter, "delivered", 2);
        await IndexedAsync(Peter, "accepted", 2);
        await IndexedAsync(Paul, "dead-lettered", 1);
    }

    /// <summary>Waits until the admin's index holds the user's steps (it follows the stream).</summary>
    async Task IndexedAsync(string user, string step, int count)
    {
        using var client = Stack.CreateAdminClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", DeadLetterStack.AdminKey);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await client.GetFromJsonAsync<JsonNode>($"/admin/events?user={user}"))!["steps"]!.AsArray().Count(s => (string?)s!["step"] == step) < count)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the delivery log of {user} did not reach {count} {step} step(s)");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}

/// <summary>The delivery log's pages in a real browser: a user's timeline with Novu's answers, the way to the dead letter; the setup check.</summary>
public sealed class When_an_operator_reads_a_users_timeline_in_the_console(TimelineStackFixture fixture) : IClassFixture<TimelineStackFixture>
{
    SegmentNovuStack Stack => fixture.Stack;

    [Fact]
    public async Task Should_show_a_users_events_newest_first_with_novus_answers()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(Stack);
        await browser.SignInAsync();
        await browser.Page.ClickAsync("nav >> text=Delivery log");
        await browser.Page.WaitForURLAsync("**/console/events");

        await browser.Page.FillAsync("input[name=user]", TimelineStackFixture.Peter);
        await browser.Page.PressAsync("input[name=user]", "Enter");

        await browser.Page.WaitForURLAsync("**/console/events?*");
        Assert.Equal("Timeline of " + TimelineStackFixture.Peter, await browser.Page.InnerTextAsync("h1"));
        var rows = await When_an_operator_reads_dead_letters_in_the_console.RowsAsync(browser.Page, "#steps");
        Assert.Equal(
            [($"{TimelineStackFixture.Peter}-track", "delivered"), ($"{TimelineStackFixture.Peter}-track", "attempt"), ($"{TimelineStackFixture.Peter}-identify", "delivered"),
             ($"{TimelineStackFixture.Peter}-track", "accepted"), ($"{TimelineStackFixture.Peter}-identify", "accepted")],
            rows.Select(r => (r[1], r[4])));
        Assert.Equal("welcome", rows[1][5]);
        Assert.Equal("201", rows[1][6]);
        Assert.Equal($"processed (transactionId {TimelineStackFixture.Peter}-track)", rows[1][7]);
        Assert.Contains($"Novu subscriber {TimelineStackFixture.Peter} upserted", rows[2][8]);
        Assert.Empty(browser.Alarms);
        await browser.ScreenshotAsync("timeline");
    }

    [Fact]
    public async Task Should_lead_from_a_dead_lettered_step_to_its_dead_letter()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(Stack);
        await browser.SignInAsync();
        await browser.Page.GotoAsync($"/console/events?user={TimelineStackFixture.Paul}");

        var rows = await When_an_operator_reads_dead_letters_in_the_console.RowsAsync(browser.Page, "#steps");
        var deadLettered = Assert.Single(rows, r => r[4] == "dead-lettered");
        Assert.Equal("422", deadLettered[6]);
        Assert.Equal("to.subscriberId: subscriber is not valid", deadLettered[7]);
        await browser.Page.ClickAsync("#steps tr.step-dead-lettered >> text=the dead letter");

        await browser.Page.WaitForURLAsync($"**/console/dead-letters/{TimelineStackFixture.Paul}-track");
        Assert.Equal("novu-rejected", await browser.Page.InnerTextAsync("#reason"));
    }

    [Fact]
    public async Task Should_show_the_setup_checks()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(Stack);
        await browser.SignInAsync();
        await browser.Page.ClickAsync("nav >> text=Setup check");
        await browser.Page.WaitForURLAsync("**/console/doctor");

        var rows = await When_an_operator_reads_dead_letters_in_the_console.RowsAsync(browser.Page, "#checks");
        Assert.Contains(rows, r => r[0] == "novu-key" && r[1] == "Ok");
        Assert.Contains(rows, r => r[0] == "queues" && r[1] == "Ok");
        Assert.Contains(rows, r => r[0] == "segment-secret" && r[1] == "Warning" && r[3].Contains("Segment__SharedSecret", StringComparison.Ordinal));
    }
}
