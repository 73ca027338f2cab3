using System.Text.Json;
using SegmentNovuWorker.Parsing;

namespace SegmentNovuWorker.UnitTests.Ingest;

public sealed class When_an_event_says_which_integrations_it_is_for
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("""{}""", true)]
    [InlineData("""{"All":true}""", true)]
    [InlineData("""{"Novu":false}""", false)]
    [InlineData("""{"All":true,"Novu":false}""", false)]
    [InlineData("""{"All":false}""", false)]
    [InlineData("""{"All":false,"Novu":true}""", true)]
    [InlineData("""{"All":false,"Novu":{"setting":1}}""", true)]
    [InlineData("""{"Mixpanel":false}""", true)]
    [InlineData("""[]""", true)]
    public void Should_go_to_novu_unless_it_opts_out(string? integrations, bool forNovu) =>
        Assert.Equal(forNovu, SegmentEventParser.IsForNovu(integrations is null ? null : JsonDocument.Parse(integrations).RootElement));
}
