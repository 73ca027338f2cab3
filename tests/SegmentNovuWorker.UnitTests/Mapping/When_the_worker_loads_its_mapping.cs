using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Mapping;
using SegmentNovuWorker.Worker.Mapping;
using static SegmentNovuWorker.UnitTests.Mapping.Mappings;

namespace SegmentNovuWorker.UnitTests.Mapping;

/// <summary>The worker's mapping at start and on reload: never silently wrong, never lost to a bad edit.</summary>
public sealed class When_the_worker_loads_its_mapping
{
    sealed class Logs : ILogger<WorkflowMapSource>
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }

    static IConfigurationRoot Configuration(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public void Should_warn_at_start_in_words_when_nothing_is_mapped()
    {
        var logs = new Logs();

        using var source = new WorkflowMapSource(Configuration(("Novu:ApiKey", "k")), logs);

        var (level, message) = Assert.Single(logs.Lines);
        Assert.Equal(LogLevel.Warning, level);
        Assert.StartsWith("No Novu workflow is mapped: Novu:Workflows, Novu:Pages and Novu:Screens are all empty", message);
    }

    [Fact]
    public void Should_refuse_to_start_with_a_mapping_that_does_not_compile_naming_the_key()
    {
        var ex = Assert.Throws<OptionsValidationException>(() =>
            new WorkflowMapSource(Configuration(("Novu:Workflows:0:Event", "A"), ("Novu:Workflows:0:Workflow", "not valid!")), new Logs()));

        Assert.Contains("Novu:Workflows:0:Workflow: 'not valid!' is not a Novu workflow identifier", ex.Message);
    }

    [Fact]
    public void Should_keep_the_last_good_mapping_and_log_why_when_a_reload_does_not_compile()
    {
        var configuration = Configuration(("Novu:Workflows:0:Event", "Checkout: Completed"), ("Novu:Workflows:0:Workflow", "receipt"));
        var logs = new Logs();
        using var source = new WorkflowMapSource(configuration, logs);

        configuration["Novu:Workflows:0:When"] = "properties.total >";
        configuration.Reload();

        Assert.Equal("receipt", Single(source.Current.Map(Track("Checkout: Completed"))).Name);
        var (level, message) = logs.Lines[^1];
        Assert.Equal(LogLevel.Error, level);
        Assert.Contains("Novu mapping reload refused; the worker keeps the mapping it had (1 track, 0 page and 0 screen rule(s))", message);
        Assert.Contains("Novu:Workflows:0:When: expected a path or a value", message);
    }

    [Fact]
    public void Should_use_a_good_reload_at_once()
    {
        var configuration = Configuration(("Novu:Workflows:0:Event", "Checkout: Completed"), ("Novu:Workflows:0:Workflow", "receipt"));
        using var source = new WorkflowMapSource(configuration, new Logs());

        configuration["Novu:Workflows:0:Workflow"] = "receipt-v2";
        configuration.Reload();

        Assert.Equal("receipt-v2", Single(source.Current.Map(Track("Checkout: Completed"))).Name);
    }

    [Fact]
    public void Should_treat_a_key_set_to_nothing_by_a_later_source_as_removed()
    {
        var map = Compile("""{"Workflows": {"User Registered": "welcome", "Order Completed": "order-receipt"}}""", ("Novu:Workflows:User Registered", null));

        Assert.Equal(MappingVerdict.Skip, map.Map(Track("User Registered")).Verdict);
        Assert.Equal("order-receipt", Single(map.Map(Track("Order Completed"))).Name);
    }
}
