using SegmentNovuWorker.Mapping;
using static SegmentNovuWorker.UnitTests.Mapping.Mappings;

namespace SegmentNovuWorker.UnitTests.Mapping;

/// <summary>A template that compiles can still fail on one event's data: that event is dead-lettered, naming the rule; the others go on.</summary>
public sealed class When_a_template_fails_for_one_event
{
    static readonly WorkflowMap Map = Compile("""
        {"Workflows": [
          {"Event": "Digest", "Workflow": "digest", "Name": "daily-digest", "Payload": {"lines": "{% for i in (1..properties.count) %}.{% endfor %}"}},
          {"Event": "Digest", "Workflow": "digest-audit", "Payload": {"count": "$.properties.count"}}
        ]}
        """);

    [Fact]
    public void Should_dead_letter_the_event_as_mapping_failed_with_the_rule_name()
    {
        var result = Map.Map(Track("Digest", """{"count": 1000000}"""));

        Assert.Equal((MappingVerdict.DeadLetter, MappingResult.MappingFailed, "daily-digest"), (result.Verdict, result.Reason, result.FailedRule));
        Assert.Contains("rule 'daily-digest' (Novu:Workflows:0): the template at Novu:Workflows:0:Payload:lines failed", result.Why);
        Assert.Empty(result.Triggers);
    }

    [Fact]
    public void Should_refuse_a_payload_that_is_not_an_object_for_this_event()
    {
        var map = Compile("""{"Workflows": [{"Event": "Digest", "Workflow": "digest-audit", "Payload": {"@path": "properties.count"}}]}""");

        var result = map.Map(Track("Digest", """{"count": 3}"""));

        Assert.Equal((MappingVerdict.DeadLetter, MappingResult.MappingFailed, "digest-audit"), (result.Verdict, result.Reason, result.FailedRule));
        Assert.Contains("it must be an object, and is 3", result.Why);
    }

    [Fact]
    public void Should_map_the_next_event_as_usual()
    {
        var result = Map.Map(Track("Digest", """{"count": 3}"""));

        Assert.Equal(MappingVerdict.Trigger, result.Verdict);
        Assert.Equal(["""{"lines":"..."}""", """{"count":3}"""], result.Triggers.Select(t => t.Payload.ToJsonString()));
    }
}
