using Microsoft.Playwright;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.ConsoleTests;

/// <summary>The console's read-only pages in a real browser: groups, a filter, one dead letter's story, markup kept inert.</summary>
public sealed class When_an_operator_reads_dead_letters_in_the_console(ConsoleStackFixture fixture) : IClassFixture<ConsoleStackFixture>
{
    SegmentNovuStack Stack => fixture.Stack;

    internal static async Task<List<string[]>> RowsAsync(IPage page, string table)
    {
        var rows = new List<string[]>();
        foreach (var row in await page.Locator($"{table} tbody tr").AllAsync())
            rows.Add([.. (await row.Locator("td").AllInnerTextsAsync()).Select(t => t.Trim())]);
        return rows;
    }

    [Fact]
    public async Task Should_show_dead_letters_of_three_kinds_grouped_with_counts()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(Stack);
        await browser.SignInAsync();

        Assert.EndsWith("/console", browser.Page.Url);
        var rows = await RowsAsync(browser.Page, "#issue-groups");
        Assert.Contains(rows, r => r[0] == "novu-rejected" && r[1] == "track" && r[2] == "User Registered" && r[3] == "3" && r[6] == "422");
        Assert.Contains(rows, r => r[0] == "unmapped-event" && r[1] == "track" && r[2] == "Order Completed" && r[3] == "2");
        Assert.Contains(rows, r => r[0] == "missing-user-id" && r[1] == "identify" && r[3] == "1");
        Assert.Contains(rows, r => r[0] == "missing-user-id" && r[1] == "track" && r[3] == "1");
        // Times in UTC with their age beside them.
        Assert.Matches(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+ (s|min|h|days) ago\)", rows[0][4]);
        await browser.ScreenshotAsync("overview");
    }

    [Fact]
    public async Task Should_export_the_filtered_dead_letters_as_a_streamed_ndjson_file()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(Stack);
        await browser.SignInAsync();

        var response = await browser.Context.APIRequest.GetAsync("/console/export?event=Order%20Completed");

        Assert.Equal(200, response.Status);
        Assert.StartsWith("application/x-ndjson", response.Headers["content-type"]);
        Assert.Matches(@"^attachment; filename=dead-letters-\d{8}T\d{6}Z\.ndjson$", response.Headers["content-disposition"]);
        var lines = (await response.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Contains("\"Order Completed\"", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_narrow_them_with_a_filter()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(Stack);
        await browser.SignInAsync();
        await browser.Page.GotoAsync("/console/dead-letters");
        Assert.Contains("8 dead letter(s) match", await browser.Page.InnerTextAsync("#matching"));

        await browser.Page.FillAsync("input[name=event]", "Order Completed");
        await browser.Page.PressAsync("input[name=event]", "Enter"); // the keyboard alone is enough

        await browser.Page.WaitForURLAsync("**/console/dead-letters?*");
        Assert.Contains("2 dead letter(s) match", await browser.Page.InnerTextAsync("#matching"));
        var rows = await RowsAsync(browser.Page, "#dead-letters");
        Assert.Equal(["unmapped-1", "unmapped-2"], rows.Select(r => r[0]).Order());
        Assert.All(rows, r => Assert.Equal("unmapped-event", r[4]));
        await browser.ScreenshotAsync("filtered");
    }

    [Fact]
    public async Task Should_show_one_events_headers_event_and_the_novu_request_it_would_make()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(Stack);
        await browser.SignInAsync();
        await browser.Page.GotoAsync("/console/dead-letters?reason=novu-rejected");

        await browser.Page.ClickAsync("text=rejected-1");

        Assert.Equal("novu-rejected", await browser.Page.InnerTextAsync("#reason"));
        var headers = await browser.Page.InnerTextAsync("#header-table");
        Assert.Contains("SNW-Reason", headers);
        Assert.Contains("MT-Fault-ExceptionType", headers);
        var json = await browser.Page.InnerTextAsync("#event-json");
        Assert.Contains("\"event\": \"User Registered\"", json);
        Assert.Contains("\"messageId\": \"rejected-1\"", json);
        var request = await browser.Page.InnerTextAsync("#novu-request");
        Assert.Contains("\"name\": \"welcome\"", request);
        Assert.Contains("\"transactionId\": \"rejected-1", request);
        await browser.ScreenshotAsync("dead-letter");
    }

    [Fact]
    public async Task Should_show_an_event_holding_script_as_inert_text()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(Stack);
        await browser.SignInAsync();

        var overview = await RowsAsync(browser.Page, "#issue-groups");
        await browser.Page.GotoAsync("/console/dead-letters?type=track");
        await browser.Page.GotoAsync($"/console/dead-letters/{ConsoleStackFixture.ScriptEventId}");

        Assert.Contains(overview, r => r[2] == ConsoleStackFixture.ScriptEventName);
        var json = await browser.Page.InnerTextAsync("#event-json");
        Assert.Contains(ConsoleStackFixture.ScriptEventName, json);
        Assert.Contains("</pre><script>window.__pwned=3</script>", json);
        Assert.True(await browser.Page.EvaluateAsync<bool>("() => window.__pwned === undefined"), "a script from the event ran");
        Assert.Equal(0, await browser.Page.Locator("img").CountAsync());
        Assert.Equal(1, await browser.Page.Locator("script").CountAsync()); // htmx, and nothing from the event
        Assert.Empty(browser.Alarms);
        await browser.ScreenshotAsync("script-event-inert");
    }

    [Fact]
    public async Task Should_refuse_a_wrong_key_and_keep_a_right_one_out_of_reach_of_scripts()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(Stack);

        await browser.Page.GotoAsync("/console/dead-letters");
        Assert.Contains("/console/login", browser.Page.Url);
        await browser.SignInAsync("not-the-admin-key-0123456789abcdef0123");

        Assert.Contains("That is not an admin key", await browser.Page.InnerTextAsync("#refusal"));
        await browser.Page.GotoAsync("/console/dead-letters");
        Assert.Contains("/console/login", browser.Page.Url);
        Assert.DoesNotContain(await browser.Context.CookiesAsync(), c => c.Name == "snw-console");
        await browser.Page.GotoAsync("/console/login");
        await browser.SignInAsync("not-the-admin-key-0123456789abcdef0123");
        await browser.ScreenshotAsync("sign-in-refused");

        await browser.SignInAsync();
        var session = Assert.Single(await browser.Context.CookiesAsync(), c => c.Name == "snw-console");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.Equal("", await browser.Page.EvaluateAsync<string>("() => document.cookie.split('; ').filter(c => c.startsWith('snw-console=')).join('')"));
        Assert.DoesNotContain(DeadLetterStack.AdminKey, string.Join(";", (await browser.Context.CookiesAsync()).Select(c => c.Value)));
    }

    [Fact]
    public async Task Should_fit_a_phones_width_without_sideways_scrolling()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(Stack, width: 390, height: 844);
        await browser.SignInAsync();

        foreach (var path in new[] { "/console", "/console/dead-letters", "/console/dead-letters/rejected-1" })
        {
            await browser.Page.GotoAsync(path);
            Assert.True(await browser.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"),
                $"{path} is wider than the phone's screen");
        }
        await browser.Page.GotoAsync("/console");
        await browser.ScreenshotAsync("overview-phone");
    }
}
