using SegmentNovuWorker.Mapping;
using static SegmentNovuWorker.UnitTests.Mapping.Mappings;

namespace SegmentNovuWorker.UnitTests.Mapping;

public sealed class When_several_rules_match_one_event
{
    [Fact]
    public void Should_trigger_each_once_with_its_own_transaction_id_derived_from_the_message_id_and_the_rule()
    {
        var map = Compile("""
            {"Workflows": {
               "Order Completed": "order-receipt",
               "0": {"Event": "Order Completed", "Workflow": "loyalty-points", "When": "properties.total >= 50"},
               "1": {"Event": "Order Completed", "Workflow": "order-receipt", "Name": "Receipt for the shop owner", "To": {"subscriberId": "$.properties.seller_id"}}
            }}
            """);

        var result = map.Map(Track("Order Completed", """{"total":80,"seller_id":"s-9"}""", messageId: "ajs-7"));

        Assert.Equal(MappingVerdict.Trigger, result.Verdict);
        Assert.Equal(
            [("order-receipt", "ajs-7", "u-1"), ("order-receipt", "ajs-7:56a02b0e84e82d6e", "s-9"), ("loyalty-points", "ajs-7:loyalty-points", "u-1")],
            result.Triggers.Select(t => (t.Name, t.TransactionId, t.To["subscriberId"]!.ToString())).OrderBy(t => t.Item2).ToArray());
    }

    [Fact]
    public void Should_give_the_same_transaction_ids_to_every_retry_of_the_event()
    {
        const string config = """{"Workflows": [{"Event": "A", "Workflow": "w1"}, {"Event": "A", "Workflow": "w2"}]}""";

        var first = Compile(config).Map(Track("A", messageId: "m-1")).Triggers.Select(t => t.TransactionId);
        var again = Compile(config).Map(Track("A", messageId: "m-1")).Triggers.Select(t => t.TransactionId);

        Assert.Equal(["m-1:w1", "m-1:w2"], first);
        Assert.Equal(first, again);
    }

    [Fact]
    public void Should_trigger_only_the_rules_whose_condition_holds()
    {
        var map = Compile("""{"Workflows": [{"Event": "A", "Workflow": "w1", "When": "properties.x == 1"}, {"Event": "A", "Workflow": "w2"}]}""");

        var result = map.Map(Track("A", """{"x":2}"""));

        Assert.Equal("w2", Single(result).Name);
        Assert.Equal([false, true], result.Rules.Select(r => r.Matched));
    }
}
