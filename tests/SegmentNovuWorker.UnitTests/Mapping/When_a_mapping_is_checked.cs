using SegmentNovuWorker.Mapping;
using static SegmentNovuWorker.UnitTests.Mapping.Mappings;

namespace SegmentNovuWorker.UnitTests.Mapping;

/// <summary>Every rule is checked before it is used: at start, on reload, and by <c>segment-novu mapping check</c>.</summary>
public sealed class When_a_mapping_is_checked
{
    [Fact]
    public void Should_take_any_event_name_in_the_list_form_colons_included()
    {
        var map = Compile("{}", ("Novu:Workflows:0:Event", "Checkout: Completed"), ("Novu:Workflows:0:Workflow", "receipt"));

        Assert.Equal("receipt", Single(map.Map(Track("Checkout: Completed"))).Name);
    }

    [Theory]
    [InlineData("""{"Event": "A", "Workflow": "Order Receipt!"}""", "Novu:Workflows:0:Workflow: 'Order Receipt!' is not a Novu workflow identifier")]
    [InlineData("""{"Event": "A"}""", "Novu:Workflows:0:Workflow must name a Novu workflow identifier")]
    [InlineData("""{"Workflow": "w"}""", "Novu:Workflows:0:Event must name the Segment track")]
    [InlineData("""{"Event": "A", "Workflow": "w", "Paylod": {"a": "b"}}""", "Novu:Workflows:0:Paylod is not a rule key")]
    [InlineData("""{"Event": "A", "Workflow": "w", "When": "properties.x >"}""", "Novu:Workflows:0:When: expected a path or a value")]
    [InlineData("""{"Event": "A", "Workflow": "w", "Payload": {"a": "$.properties[x"}}""", "Novu:Workflows:0:Payload:a: '[' at position")]
    [InlineData("""{"Event": "A", "Workflow": "w", "Payload": {"a": {"@path": ""}}}""", "Novu:Workflows:0:Payload:a:@path: A path cannot be empty")]
    [InlineData("""{"Event": "A", "Workflow": "w", "Payload": {"a": "{{ properties.x "}}""", "Novu:Workflows:0:Payload:a: template '{{ properties.x ' does not parse")]
    [InlineData("""{"Event": "A", "Workflow": "w", "Payload": {"a": "{{ properties.x | no_such_filter }}"}}""", "Novu:Workflows:0:Payload:a: template")]
    [InlineData("""{"Event": "A", "Workflow": "w", "Payload": {"a": {"@json": "{oops"}}}""", "Novu:Workflows:0:Payload:a:@json")]
    [InlineData("""{"Event": "A", "Workflow": "w", "Payload": {"a": {"@pth": "x"}}}""", "Novu:Workflows:0:Payload:a:@pth: unknown directive")]
    [InlineData("""{"Event": "A", "Workflow": "w", "To": {"mail": "$.context.traits.email"}}""", "Novu:Workflows:0:To:mail is not a Novu subscriber field")]
    public void Should_refuse_a_rule_naming_the_key_and_the_mistake(string rule, string error)
    {
        Assert.Contains(error, Errors($$"""{"Workflows": [ {{rule}} ]}"""));
    }

    [Fact]
    public void Should_refuse_two_rules_for_one_event_that_would_share_a_transaction_id()
    {
        var errors = Errors("""{"Workflows": [{"Event": "A", "Workflow": "w"}, {"Event": "a", "Workflow": "w", "When": "userId exists"}]}""");

        Assert.Contains("Novu:Workflows:0 and Novu:Workflows:1 are rules for track 'A' both named 'w'", errors);
    }

    [Fact]
    public void Should_refuse_an_unknown_policy()
    {
        Assert.Contains("Novu:UnmappedEvents: 'Drop' is not one of Skip, DeadLetter", Errors("""{"UnmappedEvents": "Drop"}"""));
    }

    [Fact]
    public void Should_warn_in_words_when_nothing_is_mapped()
    {
        var empty = Compile("""{"UnmappedEvents": "DeadLetter"}""");

        Assert.Contains("No Novu workflow is mapped", empty.EmptyWarning);
        Assert.Contains("every track is dead-lettered as unmapped-event", empty.EmptyWarning);
        Assert.Null(Compile("""{"Workflows": {"A": "w"}}""").EmptyWarning);
    }
}
