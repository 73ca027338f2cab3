using SegmentNovuWorker.Mapping;
using static SegmentNovuWorker.UnitTests.Mapping.Mappings;

namespace SegmentNovuWorker.UnitTests.Mapping;

/// <summary><c>Novu:Workflows:{event}=workflow</c>, the seed's form: it works as it always did.</summary>
public sealed class When_todays_simple_form_is_used
{
    [Fact]
    public void Should_trigger_the_workflow_with_the_properties_as_payload_and_the_message_id_as_transaction_id()
    {
        var map = Compile("""{"Workflows": {"User Registered": "welcome"}}""");

        var trigger = Single(map.Map(Track("User Registered", """{"plan":"Pro Annual","seats":3}""")));

        Assert.Equal("""{"name":"welcome","to":{"subscriberId":"u-1"},"payload":{"plan":"Pro Annual","seats":3},"transactionId":"ajs-1"}""", Wire(trigger));
    }

    [Fact]
    public void Should_send_an_empty_payload_when_the_track_has_no_properties()
    {
        var map = Compile("""{"Workflows": {"User Registered": "welcome"}}""");

        Assert.Empty(Single(map.Map(Track("User Registered"))).Payload);
    }

    [Fact]
    public void Should_find_the_rule_regardless_of_case_and_skip_an_unmapped_track_by_default()
    {
        var map = Compile("""{"Workflows": {"User Registered": "welcome"}}""");

        Assert.Equal("welcome", Single(map.Map(Track("user registered"))).Name);
        var unmapped = map.Map(Track("Order Completed"));
        Assert.Equal((MappingVerdict.Skip, MappingResult.UnmappedEvent), (unmapped.Verdict, unmapped.Reason));
        Assert.Contains("no rule in Novu:Workflows takes track 'Order Completed'", unmapped.Why);
    }

    [Fact]
    public void Should_dead_letter_an_unmapped_track_when_the_policy_says_so()
    {
        var map = Compile("""{"Workflows": {"User Registered": "welcome"}, "UnmappedEvents": "DeadLetter"}""");

        var result = map.Map(Track("Order Completed"));

        Assert.Equal((MappingVerdict.DeadLetter, MappingResult.UnmappedEvent), (result.Verdict, result.Reason));
    }

    [Theory]
    [InlineData("DeadLetter", MappingVerdict.DeadLetter, null)]
    [InlineData("Skip", MappingVerdict.Skip, null)]
    [InlineData("UseAnonymousId", MappingVerdict.Trigger, "anon-7")]
    public void Should_apply_the_missing_user_id_policy(string policy, MappingVerdict verdict, string? subscriberId)
    {
        var map = Compile($$"""{"Workflows": {"User Registered": "welcome"}, "MissingUserId": "{{policy}}"}""");

        var result = map.Map(Track("User Registered", userId: null, anonymousId: "anon-7"));

        Assert.Equal(verdict, result.Verdict);
        Assert.Equal(subscriberId, result.Triggers.SingleOrDefault()?.To["subscriberId"]?.ToString());
    }
}
