using System.Text.Json;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.UnitTests.Mapping;

public sealed class TriggerMapperSpecs
{
    [Fact]
    public void Should_map_a_track_to_a_trigger_with_the_segment_message_id_as_transaction_id()
    {
        var track = new TrackEvent("ajs-1", "u-1", null, null, null, "User Registered",
            JsonDocument.Parse("""{"plan":"Pro Annual","seats":3}""").RootElement.Clone());

        var json = JsonSerializer.Serialize(TriggerMapper.ToTrigger(track, "welcome", "u-1"), NovuClient.Json);

        Assert.Equal("""{"name":"welcome","to":{"subscriberId":"u-1"},"payload":{"plan":"Pro Annual","seats":3},"transactionId":"ajs-1"}""", json);
    }

    [Fact]
    public void Should_send_an_empty_payload_when_the_track_has_no_properties()
    {
        var track = new TrackEvent("ajs-1", "u-1", null, null, null, "User Registered", null);

        Assert.Empty(TriggerMapper.ToTrigger(track, "welcome", "u-1").Payload);
    }

    [Fact]
    public void Should_find_workflows_by_event_name_regardless_of_case()
    {
        var options = new WorkflowMappingOptions { Workflows = { ["User Registered"] = "welcome" } };

        Assert.Equal("welcome", options.WorkflowFor("user registered"));
        Assert.Null(options.WorkflowFor("Order Completed"));
    }
}
