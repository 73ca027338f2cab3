using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace SegmentNovuWorker.Novu;

/// <summary>A workflow of the Novu environment, as <c>GET /v2/workflows</c> lists it.</summary>
/// <param name="WorkflowId">The identifier a trigger's <c>name</c> uses.</param>
/// <param name="Status"><c>ACTIVE</c>, <c>INACTIVE</c> or <c>ERROR</c>; only an active workflow sends anything.</param>
public sealed record NovuWorkflow(string WorkflowId, string? Name, string Status)
{
    public const string Active = "ACTIVE";

    public bool IsActive => Status == Active;
}

/// <summary>Novu answered the workflow list with an error: its status and its own message (never the key).</summary>
public sealed class NovuWorkflowListException(HttpStatusCode? status, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Null when Novu did not answer at all (refused connection, timeout, DNS).</summary>
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>
/// Reads every workflow of the Novu environment a key belongs to: <c>GET /v2/workflows?limit=100&amp;offset=…</c>, page by
/// page until <c>totalCount</c> (Novu refuses a limit over 100 with 422). Used by the setup check, not by the worker.
/// </summary>
public static class NovuWorkflows
{
    public const int PageSize = 100;

    /// <exception cref="NovuWorkflowListException">Novu refused the key, answered an error, or did not answer.</exception>
    public static async Task<IReadOnlyList<NovuWorkflow>> ListAsync(HttpClient http, Uri baseUrl, string apiKey, CancellationToken cancellationToken)
    {
        var all = new List<NovuWorkflow>();
        var root = baseUrl.ToString().EndsWith('/') ? baseUrl : new Uri(baseUrl + "/");
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(root, $"v2/workflows?limit={PageSize}&offset={all.Count}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", apiKey);
            Page page;
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                if (!response.IsSuccessStatusCode)
                    throw new NovuWorkflowListException(response.StatusCode, await NovuMessageAsync(response, cancellationToken));
                page = (await response.Content.ReadFromJsonAsync<Envelope>(JsonSerializerOptions.Web, cancellationToken))?.Data
                    ?? throw new NovuWorkflowListException(response.StatusCode, "the answer has no data");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new NovuWorkflowListException(null, ex.Message, ex);
            }
            catch (JsonException ex)
            {
                throw new NovuWorkflowListException(null, "the answer is not Novu's workflow list: " + ex.Message, ex);
            }
            all.AddRange(page.Workflows.Select(w => new NovuWorkflow(w.WorkflowId, w.Name, w.Status)));
            if (page.Workflows.Count == 0 || all.Count >= page.TotalCount)
                return all;
        }
    }

    static async Task<string> NovuMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var error = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                return message.GetString()!;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
        }
        return response.ReasonPhrase ?? "no message";
    }

    sealed record Envelope(Page? Data);

    sealed record Page(IReadOnlyList<Entry> Workflows, int TotalCount);

    sealed record Entry(string WorkflowId, string? Name, string Status);
}
