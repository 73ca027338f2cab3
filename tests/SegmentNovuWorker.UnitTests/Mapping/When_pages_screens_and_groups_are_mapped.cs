using System.ComponentModel.DataAnnotations;
using SegmentNovuWorker.Mapping;
using static SegmentNovuWorker.UnitTests.Mapping.Mappings;

namespace SegmentNovuWorker.UnitTests.Mapping;

public sealed class When_pages_screens_and_groups_are_mapped
{
    static IEnumerable<ValidationResult> Validate(WorkflowMappingOptions options) => options.Validate(new ValidationContext(options));

    [Fact]
    public void Should_find_the_workflow_of_a_page_or_screen_name_regardless_of_case_and_skip_others_whatever_the_policy()
    {
        var map = Compile("""{"Pages": {"Pricing": "pricing-viewed"}, "Screens": {"Home": "home-opened"}, "UnmappedEvents": "DeadLetter"}""");

        Assert.Equal("pricing-viewed", Single(map.Map(Page("pricing"))).Name);
        Assert.Equal("home-opened", Single(map.Map(Screen("HOME"))).Name);
        Assert.Equal(MappingVerdict.Skip, map.Map(Page("Home")).Verdict);
        Assert.Equal(MappingVerdict.Skip, map.Map(Screen(null)).Verdict);
    }

    [Fact]
    public void Should_map_pages_and_screens_with_rules_of_their_own()
    {
        var map = Compile("""
            {"Pages": [{"Page": "Pricing: Enterprise", "Workflow": "sales-follow-up", "Payload": {"url": "$.properties.url"}}],
             "Screens": [{"Screen": "Cart", "Workflow": "cart-reminder", "When": "userId exists"}]}
            """);

        Assert.Equal("""{"url":"https://x.test/p"}""", Single(map.Map(Page("Pricing: Enterprise", """{"url":"https://x.test/p"}"""))).Payload.ToJsonString());
        Assert.Equal("cart-reminder", Single(map.Map(Screen("Cart"))).Name);
    }

    [Fact]
    public void Should_key_a_groups_topic_from_the_configured_format()
    {
        Assert.Equal("group-acme-inc", new WorkflowMappingOptions().TopicKeyFor("acme-inc"));
        Assert.Equal("org:42:members", new WorkflowMappingOptions { GroupTopicKeyFormat = "org:{groupId}:members" }.TopicKeyFor("42"));
    }

    [Fact]
    public void Should_refuse_a_topic_key_format_without_the_group_id_and_an_empty_page_workflow()
    {
        var errors = Validate(new WorkflowMappingOptions { GroupTopicKeyFormat = "all-groups" }).Select(e => e.ErrorMessage).ToArray();

        Assert.Contains("Novu:GroupTopicKeyFormat must contain {groupId}.", errors);
        Assert.Contains("Novu:Pages:Pricing must name a Novu workflow identifier.", Errors("""{"Pages": {"Pricing": " "}}"""));
        Assert.Empty(Validate(new WorkflowMappingOptions()));
    }
}
