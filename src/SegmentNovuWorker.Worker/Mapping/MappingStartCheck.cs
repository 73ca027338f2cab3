using Microsoft.Extensions.Options;

namespace SegmentNovuWorker.Worker.Mapping;

/// <summary>
/// Compiles the Novu mapping before the worker starts, so a bad one stops it with the list of bad keys and a
/// non-zero exit, rather than an unhandled exception, a stack trace and exit 134.
/// </summary>
public static class MappingStartCheck
{
    /// <summary>EX_CONFIG (sysexits.h): the configuration is wrong; restarting will not help until it is fixed.</summary>
    public const int ExitCode = 78;

    /// <returns>True when the mapping does not compile; its errors, one key each, are written to <paramref name="error"/>.</returns>
    public static bool Refuses(WebApplication app, TextWriter error)
    {
        try
        {
            _ = app.Services.GetRequiredService<WorkflowMapSource>();
            return false;
        }
        catch (OptionsValidationException ex)
        {
            var failures = ex.Failures.ToList();
            error.WriteLine($"The worker cannot start: the Novu mapping ({ex.OptionsName}) has {failures.Count} error(s). Fix these keys, then start it again:");
            foreach (var failure in failures)
                error.WriteLine("  " + failure);
            return true;
        }
    }
}
