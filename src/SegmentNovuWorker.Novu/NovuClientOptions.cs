using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Novu;

/// <summary>How to reach Novu: the <c>Novu</c> configuration section.</summary>
public sealed class NovuClientOptions
{
    public const string Section = "Novu";

    /// <summary><c>Novu:BaseUrl</c>: <c>https://api.novu.co</c> (US), <c>https://eu.api.novu.co</c> (EU) or a self-hosted Novu.</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("https://api.novu.co");

    /// <summary><c>Novu:ApiKey</c>: the environment's secret key. Sent as <c>Authorization: ApiKey …</c>, never logged.</summary>
    [Required(ErrorMessage = "Novu:ApiKey is required (the Novu environment's secret key).")]
    public string ApiKey { get; set; } = "";

    /// <summary><c>Novu:AttemptTimeout</c>: how long one HTTP attempt may take before it counts as a retryable timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
