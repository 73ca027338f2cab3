using System.Text.Json.Nodes;
using SegmentNovuWorker.NovuStandIn.Behaviour;

namespace SegmentNovuWorker.UnitTests.NovuStandIn;

/// <summary>
/// <c>POST /v1/events/trigger/bulk</c> as Novu's source plays it (apps/api events.controller.ts, <c>BulkTriggerEventDto</c>,
/// <c>ProcessBulkTrigger</c>; shared/contracts/novu.md).
/// </summary>
public sealed class When_novu_triggers_in_bulk
{
    const string Path = "/v1/events/trigger/bulk";

    static string Bulk(params string[] events) => $$"""{"events":[{{string.Join(",", events)}}]}""";

    static string Event(string transactionId, string name = "welcome", string to = "u") =>
        $$"""{"name":"{{name}}","to":"{{to}}","payload":{"n":"{{transactionId}}"},"transactionId":"{{transactionId}}"}""";

    static Task<StandIn> StartWithWorkflowAsync() =>
        StandIn.StartAsync(new Dictionary<string, string?> { ["StandIn:Workflows:0"] = "welcome" });

    [Fact]
    public async Task Should_take_100_events_and_refuse_101_or_none_as_a_whole_with_400()
    {
        await using var standIn = await StartWithWorkflowAsync();

        var (tooMany, refused) = await standIn.PostAsync(Path, Bulk([.. Enumerable.Range(0, 101).Select(i => Event($"over-{i}"))]));
        var (none, empty) = await standIn.PostAsync(Path, Bulk());
        var (notAnArray, _) = await standIn.PostAsync(Path, """{"events":{}}""");
        Assert.Empty(standIn.State.Notifications);
        var (enough, body) = await standIn.PostAsync(Path, Bulk([.. Enumerable.Range(0, 100).Select(i => Event($"cap-{i}"))]));

        Assert.Equal(400, tooMany);
        Assert.Equal("events must contain no more than 100 elements", refused!["message"]![0]!.GetValue<string>());
        Assert.Equal(400, none);
        Assert.Equal("events should not be empty", empty!["message"]![0]!.GetValue<string>());
        Assert.Equal(400, notAnArray);
        Assert.Equal(201, enough);
        Assert.Equal(100, body!["data"]!.AsArray().Count);
        Assert.Equal(100, standIn.State.Notifications.Count);
    }

    [Fact]
    public async Task Should_answer_a_bad_event_in_its_own_entry_and_trigger_the_others_in_order()
    {
        await using var standIn = await StartWithWorkflowAsync();

        var (status, body) = await standIn.PostAsync(Path, Bulk(
            Event("t-unknown", name: "no-such-workflow"),
            Event("t-good"),
            """{"name":"welcome","to":"u","transactionId":"t-no-payload"}""",
            Event("t-last")));

        Assert.Equal(201, status);
        var results = body!["data"]!.AsArray();
        Assert.Equal(4, results.Count);
        // A failed entry is still "acknowledged", carries Novu's messages and no transactionId.
        Assert.True(results[0]!["acknowledged"]!.GetValue<bool>());
        Assert.Equal("error", results[0]!["status"]!.GetValue<string>());
        Assert.StartsWith("workflow_not_found", results[0]!["error"]![0]!.GetValue<string>());
        Assert.Null(results[0]!["transactionId"]);
        Assert.Equal("processed", results[1]!["status"]!.GetValue<string>());
        Assert.Equal("t-good", results[1]!["transactionId"]!.GetValue<string>());
        // The single trigger takes a missing payload as {}; the bulk passes it on and Novu's command refuses it.
        Assert.Equal("error", results[2]!["status"]!.GetValue<string>());
        Assert.Equal("payload should not be null or undefined", results[2]!["error"]![0]!.GetValue<string>());
        Assert.Equal("processed", results[3]!["status"]!.GetValue<string>());
        Assert.Equal(["t-good", "t-last"], standIn.State.Notifications.Select(n => n.TransactionId));
    }

    [Fact]
    public async Task Should_not_trigger_a_transaction_id_twice_in_one_bulk_or_after_a_single_trigger()
    {
        await using var standIn = await StartWithWorkflowAsync();
        await standIn.PostAsync("/v1/events/trigger", Event("t-1"));

        var (status, body) = await standIn.PostAsync(Path, Bulk(Event("t-1"), Event("t-2"), Event("t-2")));

        Assert.Equal(201, status);
        Assert.All(body!["data"]!.AsArray(), r => Assert.Equal("processed", r!["status"]!.GetValue<string>()));
        Assert.Equal(["t-1", "t-2"], standIn.State.Notifications.Select(n => n.TransactionId));
    }

    [Fact]
    public async Task Should_play_a_programmed_trigger_status_in_every_entry_and_an_outage_for_the_whole_call()
    {
        await using var standIn = await StartWithWorkflowAsync();
        standIn.State.AddFault(new Fault("/v1/events/trigger", 201, TriggerStatus: "trigger_not_active"));
        standIn.State.AddFault(new Fault("/v1/events/trigger", 503));

        var (status, body) = await standIn.PostAsync(Path, Bulk(Event("t-1"), Event("t-2")));
        var (outage, _) = await standIn.PostAsync(Path, Bulk(Event("t-3")));

        Assert.Equal(201, status);
        Assert.Equal(["trigger_not_active", "trigger_not_active"], body!["data"]!.AsArray().Select(r => r!["status"]!.GetValue<string>()));
        Assert.Equal(["t-1", "t-2"], body["data"]!.AsArray().Select(r => r!["transactionId"]!.GetValue<string>()));
        Assert.Equal(503, outage);
        Assert.Empty(standIn.State.Notifications);
    }
}
