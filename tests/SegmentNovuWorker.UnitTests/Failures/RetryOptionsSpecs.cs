using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Worker.Failures;

namespace SegmentNovuWorker.UnitTests.Failures;

public sealed class RetryOptionsSpecs
{
    static RetryOptions Bind(Dictionary<string, string?> settings)
    {
        var options = new RetryOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(RetryOptions.Section).Bind(options);
        return options;
    }

    [Fact]
    public void Should_default_to_four_hours_of_redelivery()
    {
        var options = Bind([]);

        Assert.Equal(3, options.ImmediateDelays.Length);
        Assert.Equal(TimeSpan.FromHours(4), options.TotalRedeliveryWindow);
    }

    [Fact]
    public void Should_replace_the_defaults_with_configured_delays_not_append_to_them()
    {
        var options = Bind(new() { ["Retry:Redelivery:0"] = "00:00:01", ["Retry:Redelivery:1"] = "00:00:02" });

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], options.RedeliveryDelays);
    }

    [Theory]
    [InlineData(0.5, 1)]
    [InlineData(1, 1)]
    [InlineData(1.5, 2)]
    [InlineData(7, 10)]
    [InlineData(3600, 10)]
    public void Should_wait_in_the_shortest_wait_queue_that_is_long_enough(double seconds, double expected)
    {
        var options = Bind(new() { ["Retry:Redelivery:0"] = "00:00:01", ["Retry:Redelivery:1"] = "00:00:02", ["Retry:Redelivery:2"] = "00:00:10" });
        var waitQueues = new WaitQueues(Options.Create(options));

        Assert.Equal(TimeSpan.FromSeconds(expected), waitQueues.Snap(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Should_refuse_a_sub_second_redelivery()
    {
        var options = Bind(new() { ["Retry:Redelivery:0"] = "00:00:00.200" });

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Contains(errors, e => e.ErrorMessage!.Contains("Retry:Redelivery"));
    }
}
