using Microsoft.Extensions.Configuration;
using SegmentNovuWorker.IntegrationTests.Failures;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Mapping;

/// <summary>Issue 9, case 7: configuration never drops events silently, neither for a ':' in a name nor on a bad reload.</summary>
public sealed class When_mapping_configuration_could_lose_events
{
    const string CheckoutCompleted = """{"type":"track","messageId":"m-checkout-1","userId":"u-1","event":"Checkout: Completed","properties":{"total":12}}""";

    [Fact]
    public async Task Should_trigger_an_event_whose_name_has_a_colon_mapped_through_the_list_form()
    {
        await using var stack = await FailureStack.StartAsync(
            ("Novu:Workflows:0:Event", "Checkout: Completed"),
            ("Novu:Workflows:0:Workflow", "receipt"),
            ("Novu:UnmappedEvents", "DeadLetter"));

        await stack.PostAsync(CheckoutCompleted);

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 1, "Novu triggered the receipt");
        var notification = stack.Novu.Notifications[0];
        Assert.Equal(("receipt", "u-1"), (notification.Workflow, notification.To));
        Assert.Equal(0u, await stack.CountAsync(SegmentQueues.ErrorQueueOf(CallQueues.Track)));
    }

    [Fact]
    public async Task Should_keep_the_last_good_mapping_when_a_reload_fails_validation()
    {
        await using var stack = await FailureStack.StartAsync(
            ("Novu:Workflows:0:Event", "Checkout: Completed"),
            ("Novu:Workflows:0:Workflow", "receipt"));

        // An operator's live edit that does not validate: an event mapped to no workflow.
        var configuration = (IConfigurationRoot)stack.WorkerApp!.Configuration;
        configuration["Novu:Workflows:Order Completed"] = "";
        configuration.Reload();

        await stack.PostAsync(CheckoutCompleted);
        await stack.PostAsync(Samples.Read("track")); // "User Registered" → welcome, from appsettings.json

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 2, "Novu triggered both events");
        Assert.Equal(["receipt", "welcome"], stack.Novu.Notifications.Select(n => n.Workflow).Order());
        Assert.Equal(0u, await stack.CountAsync(SegmentQueues.ErrorQueueOf(CallQueues.Track)));
    }
}
