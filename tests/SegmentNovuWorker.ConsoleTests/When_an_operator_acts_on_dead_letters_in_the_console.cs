using Microsoft.Playwright;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.ConsoleTests.When_an_operator_reads_dead_letters_in_the_console;

namespace SegmentNovuWorker.ConsoleTests;

/// <summary>Replay and purge from the console, each on a stack of its own: they change the queues.</summary>
public sealed class When_an_operator_acts_on_dead_letters_in_the_console
{
    /// <summary>Generous: jobs run on a shared, loaded machine; a user would see the same state change, only later.</summary>
    static readonly float Patience = 120_000;

    /// <summary>
    /// The job page is there once its panel is in the DOM. Not Playwright's URL or load-state waits: twice in full runs of
    /// 2026-12-02 its wait for a load state (load, then even commit) timed out (60 s, 120 s) with the job's URL already shown.
    /// </summary>
    static async Task WaitForJobPageAsync(IPage page)
    {
        await page.WaitForSelectorAsync("#job-panel", new PageWaitForSelectorOptions { Timeout = Patience });
        Assert.Contains("/console/jobs/", page.Url, StringComparison.Ordinal);
    }

    static Task WaitForJobStateAsync(IPage page, string state) =>
        page.WaitForSelectorAsync($"#job-state[data-state={state}]", new PageWaitForSelectorOptions { Timeout = Patience });

    [Fact]
    public async Task Should_replay_in_bulk_with_progress_once_the_cause_is_fixed_and_reach_novu()
    {
        // Novu refused the three with 422 three times, and no more: the cause is fixed before the replay.
        await using var stack = await DeadLetterStack.StartWithMixAsync();
        await using var browser = await ConsoleBrowser.OpenAsync(stack);
        await browser.SignInAsync();
        await browser.Page.GotoAsync("/console/dead-letters?reason=novu-rejected");

        await browser.Page.ClickAsync("text=Replay these 3");
        Assert.Equal("3", await browser.Page.InnerTextAsync("#dry-run-count"));
        await browser.ScreenshotAsync("replay-dry-run");
        await browser.Page.ClickAsync("form.confirm button[type=submit]");

        await WaitForJobPageAsync(browser.Page);
        await WaitForJobStateAsync(browser.Page, "Completed");
        Assert.Contains("3 done, 0 failed", await browser.Page.InnerTextAsync("#job-counts"));
        Assert.Equal("100", await browser.Page.GetAttributeAsync("#job-progress", "value"));
        var results = await RowsAsync(browser.Page, "#job-results");
        Assert.Equal(DeadLetterStack.Rejected, results.Select(r => r[0]).Order());
        Assert.All(results, r => Assert.Equal("replayed", r[1]));
        await SegmentNovuStack.WaitUntilAsync(() => DeadLetterStack.Rejected.All(id => stack.Novu.Notifications.Any(n => n.TransactionId.StartsWith(id, StringComparison.Ordinal))),
            "Novu received the three replayed notifications", TimeSpan.FromSeconds(60));
        await browser.ScreenshotAsync("job-completed");

        await browser.Page.ReloadAsync(); // the job is kept, not held by the page
        Assert.Equal("Completed", await browser.Page.InnerTextAsync("#job-state"));
        Assert.Equal(3, (await RowsAsync(browser.Page, "#job-results")).Count);
    }

    [Fact]
    public async Task Should_stop_a_job_that_is_cancelled()
    {
        await using var stack = await DeadLetterStack.StartWithMixAsync();
        await stack.StopWorkerAsync(); // replayed events stay in their queue, so what the job moved can be counted
        await using var browser = await ConsoleBrowser.OpenAsync(stack);
        await browser.SignInAsync();
        await browser.Page.GotoAsync("/console/actions/replay?type=track");
        Assert.Equal("6", await browser.Page.InnerTextAsync("#dry-run-count"));

        await browser.Page.FillAsync("#rate", "0.5"); // one every two seconds: slow enough to cancel midway
        await browser.Page.ClickAsync("form.confirm button[type=submit]");
        await WaitForJobPageAsync(browser.Page);
        await browser.Page.WaitForSelectorAsync("#job-results", new PageWaitForSelectorOptions { Timeout = Patience }); // one moved, by htmx's poll
        await browser.Page.ClickAsync("#cancel-job");

        await WaitForJobStateAsync(browser.Page, "Cancelled");
        var moved = (await RowsAsync(browser.Page, "#job-results")).Count;
        Assert.InRange(moved, 1, 5);
        Assert.Equal((uint)(6 - moved), await DeadLetterStack.ErrorCountAsync(stack, CallQueues.Track)); // the rest were left alone
        await browser.ScreenshotAsync("job-cancelled");
    }

    [Fact]
    public async Task Should_ask_for_the_count_before_a_purge()
    {
        await using var stack = await DeadLetterStack.StartWithMixAsync();
        await using var browser = await ConsoleBrowser.OpenAsync(stack);
        await browser.SignInAsync();
        await browser.Page.GotoAsync("/console/dead-letters?event=Order%20Completed");
        await browser.Page.ClickAsync("text=Purge these 2");
        Assert.Equal("2", await browser.Page.InnerTextAsync("#dry-run-count"));
        Assert.True(await browser.Page.Locator("text=Export them first").IsVisibleAsync());

        await browser.Page.FillAsync("#confirmCount", "3");
        await browser.Page.ClickAsync("form.confirm button[type=submit]");
        Assert.Contains("Nothing was purged: type 2", await browser.Page.InnerTextAsync("#refusal"));
        Assert.Equal(6u, await DeadLetterStack.ErrorCountAsync(stack, CallQueues.Track));
        await browser.ScreenshotAsync("purge-confirm");

        await browser.Page.FillAsync("#confirmCount", "2");
        await browser.Page.ClickAsync("form.confirm button[type=submit]");
        await WaitForJobPageAsync(browser.Page);
        await WaitForJobStateAsync(browser.Page, "Completed");

        Assert.Contains("2 done, 0 failed", await browser.Page.InnerTextAsync("#job-counts"));
        Assert.Equal(4u, await DeadLetterStack.ErrorCountAsync(stack, CallQueues.Track));
    }
}
