using SegmentNovuWorker.Mapping;
using static SegmentNovuWorker.UnitTests.Mapping.Mappings;

namespace SegmentNovuWorker.UnitTests.Mapping;

/// <summary>The <c>When</c> language: comparisons, exists, and/or/not, on paths.</summary>
public sealed class When_a_rule_has_a_condition
{
    const string Properties = """{"total":10,"amount_text":"12.50","status":"paid","vip":true,"coupon":null,"items":[{"sku":"a"}]}""";

    static bool Holds(string condition) =>
        Condition.Parse(condition).IsTrue(Track("Order Completed", Properties, """{"traits":{"email":"ada@example.com"}}""").Document);

    [Theory]
    [InlineData("properties.total == 10", true)]
    [InlineData("properties.total == 11", false)]
    [InlineData("properties.total != 11", true)]
    [InlineData("properties.total != 10", false)]
    [InlineData("properties.total > 9", true)]
    [InlineData("properties.total > 10", false)]
    [InlineData("properties.total >= 10", true)]
    [InlineData("properties.total < 10", false)]
    [InlineData("properties.total < 10.5", true)]
    [InlineData("properties.total <= 10", true)]
    [InlineData("properties.total > -1", true)]
    [InlineData("properties.status == 'paid'", true)]
    [InlineData("properties.status == \"refunded\"", false)]
    [InlineData("properties.status < 'q'", true)]
    [InlineData("properties.vip == true", true)]
    [InlineData("properties.vip == 'true'", false)]
    [InlineData("properties.amount_text > 12", true)]
    [InlineData("properties.items[0].sku == 'a'", true)]
    [InlineData("10 == properties.total", true)]
    public void Should_compare_values(string condition, bool holds) => Assert.Equal(holds, Holds(condition));

    [Theory]
    [InlineData("context.traits.email exists", true)]
    [InlineData("properties.coupon exists", false)]
    [InlineData("properties.nothing exists", false)]
    [InlineData("not properties.nothing exists", true)]
    public void Should_say_whether_a_path_exists(string condition, bool holds) => Assert.Equal(holds, Holds(condition));

    [Theory]
    [InlineData("properties.total > 0 and properties.status == 'paid'", true)]
    [InlineData("properties.total > 0 AND properties.status == 'refunded'", false)]
    [InlineData("properties.total > 100 or properties.vip == true", true)]
    [InlineData("properties.total > 100 or properties.vip == false", false)]
    [InlineData("properties.total > 100 or properties.vip == true and properties.status == 'refunded'", false)]
    [InlineData("(properties.total > 100 or properties.vip == true) and properties.status == 'paid'", true)]
    [InlineData("not (properties.total > 100)", true)]
    public void Should_combine_with_and_or_not(string condition, bool holds) => Assert.Equal(holds, Holds(condition));

    [Theory]
    [InlineData("properties.nothing == null", true)]
    [InlineData("properties.coupon == null", true)]
    [InlineData("properties.nothing != 'x'", true)]
    [InlineData("properties.nothing == 'x'", false)]
    [InlineData("properties.nothing > 0", false)]
    [InlineData("properties.nothing <= 0", false)]
    public void Should_treat_a_missing_path_as_null(string condition, bool holds) => Assert.Equal(holds, Holds(condition));

    [Theory]
    [InlineData("", "cannot be empty")]
    [InlineData("properties.total >", "expected a path or a value")]
    [InlineData("properties.total = 1", "expected a comparison")]
    [InlineData("properties.total > 0 and", "expected a path or a value")]
    [InlineData("(properties.total > 0", "expected ')'")]
    [InlineData("properties.status == 'paid", "never closed")]
    [InlineData("'x' exists", "'exists' follows a path")]
    [InlineData("properties..total exists", "Unexpected '.'")]
    public void Should_refuse_what_is_not_a_condition_saying_where(string condition, string error)
    {
        var ex = Assert.Throws<FormatException>(() => Condition.Parse(condition));

        Assert.Contains(error, ex.Message);
    }

    [Fact]
    public void Should_route_by_condition_and_say_why_a_rule_did_not_match()
    {
        var map = Compile("""
            {"Workflows": [
              {"Event": "Order Completed", "When": "properties.total > 0", "Workflow": "order-receipt"},
              {"Event": "Order Completed", "When": "properties.total < 0", "Workflow": "refund-issued"}
            ]}
            """);

        var refund = map.Map(Track("Order Completed", """{"total":-5}"""));
        var zero = map.Map(Track("Order Completed", """{"total":0}"""));

        Assert.Equal("refund-issued", Single(refund).Name);
        Assert.Contains("condition false: properties.total > 0 (properties.total = -5)", refund.Rules[0].Why);
        Assert.Equal((MappingVerdict.Skip, MappingResult.ConditionNotMet), (zero.Verdict, zero.Reason));
    }
}
