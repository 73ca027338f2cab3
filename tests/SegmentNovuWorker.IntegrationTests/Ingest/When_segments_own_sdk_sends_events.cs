using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// Segment's Node SDK (<c>@segment/analytics-node</c>, installed by <c>npm ci</c> in <c>tests/segment-sdk</c>, which
/// <c>deploy/test.sh</c> runs) with its <c>host</c> pointed at the ingest API, as a customer would configure it.
/// </summary>
public sealed class When_segments_own_sdk_sends_events : IAsyncLifetime
{
    const string WriteKey = "sdk-write-key";
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
    {
        ["Segment:WriteKeys:0"] = WriteKey,
        ["Novu:Pages:Pricing"] = "pricing-viewed",
        ["Novu:Screens:Home"] = "home-opened",
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Should_deliver_identify_track_page_screen_and_group_to_novu()
    {
        var (exitCode, output) = await RunSdkAsync(WriteKey);

        Assert.True(exitCode == 0, $"The Segment SDK script failed (exit {exitCode}):\n{output}");
        await SegmentNovuStack.WaitUntilAsync(() =>
            _stack.Novu.Subscribers.ContainsKey("sdk-user-1")
            && _stack.Novu.Notifications.Count == 3
            && _stack.Novu.TopicSubscriptions.GetValueOrDefault("group-sdk-group") is ["sdk-user-1"],
            "Novu received the SDK's events");
        var subscriber = _stack.Novu.Subscribers["sdk-user-1"];
        Assert.Equal(("Sdk", "sdk@example.com"), ((string?)subscriber["firstName"], (string?)subscriber["email"]));
        Assert.Equal(["home-opened", "pricing-viewed", "welcome"], _stack.Novu.Notifications.Select(n => n.Workflow).Order());
        Assert.All(_stack.Novu.Notifications, n => Assert.Equal("sdk-user-1", n.To));
        Assert.Equal("Sdk Group", _stack.Novu.TopicName("group-sdk-group"));
    }

    [Fact]
    public async Task Should_report_a_refused_write_key_to_the_sdk()
    {
        var (exitCode, output) = await RunSdkAsync("not-a-configured-key");

        Assert.True(exitCode == 1 && output.Contains("[401]", StringComparison.Ordinal),
            $"Expected the SDK to report the 401 (exit 1), got exit {exitCode}:\n{output}");
        Assert.Empty(_stack.Novu.Requests);
    }

    async Task<(int ExitCode, string Output)> RunSdkAsync(string writeKey)
    {
        var (exitCode, output, errors) = await NodeScripts.RunAsync("segment-sdk", "@segment/analytics-node", "send.mjs", new Dictionary<string, string>
        {
            ["INGEST_URL"] = _stack.IngestUrl.ToString().TrimEnd('/'),
            ["SEGMENT_WRITE_KEY"] = writeKey,
            ["USER_ID"] = "sdk-user-1",
        });
        return (exitCode, output + errors);
    }
}
