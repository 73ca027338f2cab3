using System.ComponentModel.DataAnnotations;
using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.UnitTests.Mapping;

public sealed class When_pages_screens_and_groups_are_mapped
{
    static WorkflowMappingOptions Options() => new()
    {
        Pages = new(StringComparer.OrdinalIgnoreCase) { ["Pricing"] = "pricing-viewed" },
        Screens = new(StringComparer.OrdinalIgnoreCase) { ["Home"] = "home-opened" },
    };

    static IEnumerable<ValidationResult> Validate(WorkflowMappingOptions options) => options.Validate(new ValidationContext(options));

    [Fact]
    public void Should_find_the_workflow_of_a_page_or_screen_name_regardless_of_case_and_none_for_others()
    {
        var options = Options();

        Assert.Equal("pricing-viewed", options.PageWorkflowFor("pricing"));
        Assert.Equal("home-opened", options.ScreenWorkflowFor("HOME"));
        Assert.Null(options.PageWorkflowFor("Home"));
        Assert.Null(options.ScreenWorkflowFor(null));
    }

    [Fact]
    public void Should_key_a_groups_topic_from_the_configured_format()
    {
        Assert.Equal("group-acme-inc", Options().TopicKeyFor("acme-inc"));
        Assert.Equal("org:42:members", new WorkflowMappingOptions { GroupTopicKeyFormat = "org:{groupId}:members" }.TopicKeyFor("42"));
    }

    [Fact]
    public void Should_refuse_a_topic_key_format_without_the_group_id_and_an_empty_page_workflow()
    {
        var options = new WorkflowMappingOptions { GroupTopicKeyFormat = "all-groups" };
        options.Pages["Pricing"] = " ";

        var errors = Validate(options).Select(e => e.ErrorMessage).ToArray();

        Assert.Contains("Novu:GroupTopicKeyFormat must contain {groupId}.", errors);
        Assert.Contains("Novu:Pages:Pricing must name a Novu workflow identifier.", errors);
        Assert.Empty(Validate(Options()));
    }
}
