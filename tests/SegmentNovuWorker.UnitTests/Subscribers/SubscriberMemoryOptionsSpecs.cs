using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using SegmentNovuWorker.Worker.Subscribers;

namespace SegmentNovuWorker.UnitTests.Subscribers;

public sealed class SubscriberMemoryOptionsSpecs
{
    static (SubscriberMemoryOptions Options, List<ValidationResult> Errors) Bind(Dictionary<string, string?> settings)
    {
        var options = new SubscriberMemoryOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(SubscriberMemoryOptions.Section).Bind(options);
        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true);
        return (options, errors);
    }

    [Fact]
    public void Should_skip_unchanged_identifies_by_default()
    {
        var (options, errors) = Bind([]);

        Assert.True(options.SkipUnchanged);
        Assert.Empty(errors);
    }

    [Fact]
    public void Should_bind_the_switch_the_size_and_the_time_to_live()
    {
        var (options, _) = Bind(new()
        {
            ["Novu:Subscribers:SkipUnchanged"] = "false",
            ["Novu:Subscribers:CacheSize"] = "500",
            ["Novu:Subscribers:CacheTimeToLive"] = "00:05:00",
        });

        Assert.False(options.SkipUnchanged);
        Assert.Equal(500, options.CacheSize);
        Assert.Equal(TimeSpan.FromMinutes(5), options.CacheTimeToLive);
    }

    [Theory]
    [InlineData("Novu:Subscribers:CacheSize", "0")]
    [InlineData("Novu:Subscribers:CacheTimeToLive", "00:00:00")]
    [InlineData("Novu:Subscribers:CacheTimeToLive", "2.00:00:00")]
    public void Should_refuse_a_value_out_of_range_naming_its_key(string key, string value)
    {
        var (_, errors) = Bind(new() { [key] = value });

        Assert.Contains(key, Assert.Single(errors).ErrorMessage);
    }
}
