using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace SegmentNovuWorker.Worker.Mapping;

/// <summary>
/// The mapping the worker uses now. Compiled at start (a wrong one stops the worker, naming the key); recompiled when the
/// <c>Novu</c> section changes. A reload that does not compile is refused and logged, and the last good mapping stays:
/// a typo in a live edit must not turn every event into a dead letter.
/// </summary>
public sealed class WorkflowMapSource : IDisposable
{
    readonly IConfiguration _configuration;
    readonly ILogger<WorkflowMapSource> _logger;
    readonly IDisposable _reloads;
    string _fingerprint;
    volatile WorkflowMap _current;

    public WorkflowMapSource(IConfiguration configuration, ILogger<WorkflowMapSource> logger)
    {
        _configuration = configuration;
        _logger = logger;
        var section = configuration.GetSection(WorkflowMappingOptions.Section);
        var load = MappingLoader.Load(section);
        if (load.Map is null)
            throw new OptionsValidationException(WorkflowMappingOptions.Section, typeof(WorkflowMap), load.Errors);
        _current = load.Map;
        _fingerprint = Fingerprint(section);
        if (load.Map.EmptyWarning is { } warning)
            _logger.LogWarning("{Warning}", warning);
        else
            _logger.LogInformation("Novu mapping loaded: {Summary}", load.Map.Summary);
        _reloads = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    /// <summary>The last mapping that compiled.</summary>
    public WorkflowMap Current => _current;

    /// <summary>When the last reload was refused, and why (null while the configuration is the one in use).</summary>
    public IReadOnlyList<string>? LastRefusal { get; private set; }

    void Reload()
    {
        var section = _configuration.GetSection(WorkflowMappingOptions.Section);
        var fingerprint = Fingerprint(section);
        if (fingerprint == _fingerprint)
            return;
        var load = MappingLoader.Load(section);
        if (load.Map is null)
        {
            LastRefusal = load.Errors;
            _logger.LogError("Novu mapping reload refused; the worker keeps the mapping it had ({Summary}). Fix: {Errors}",
                _current.Summary, string.Join(" | ", load.Errors));
            return;
        }
        _fingerprint = fingerprint;
        LastRefusal = null;
        _current = load.Map;
        if (load.Map.EmptyWarning is { } warning)
            _logger.LogWarning("Novu mapping reloaded. {Warning}", warning);
        else
            _logger.LogInformation("Novu mapping reloaded: {Summary}", load.Map.Summary);
    }

    /// <summary>The section's keys and values: reload tokens fire for any change in any source, and most are not ours.</summary>
    static string Fingerprint(IConfigurationSection section) =>
        string.Join('\n', section.AsEnumerable().OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    public void Dispose() => _reloads.Dispose();
}
