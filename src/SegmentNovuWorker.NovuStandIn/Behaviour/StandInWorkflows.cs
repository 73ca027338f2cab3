using System.Collections.Concurrent;

namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>A workflow as <c>GET /v2/workflows</c> lists it (the fields a setup check reads).</summary>
public sealed record StandInWorkflow(string WorkflowId, string Status, DateTimeOffset CreatedAt);

/// <summary>
/// The workflows of the stand-in's environment and their status (<c>ACTIVE</c>, <c>INACTIVE</c> or <c>ERROR</c>, as on
/// Novu). With <c>StandIn:Workflows</c> unset every workflow name exists and is active: one triggered for the first time
/// is listed from then on, as if created in Novu's dashboard. Set, only those (and <c>StandIn:WorkflowStatuses</c>) exist.
/// </summary>
public sealed class StandInWorkflows
{
    public static readonly string[] Statuses = ["ACTIVE", "INACTIVE", "ERROR"];

    readonly ConcurrentDictionary<string, StandInWorkflow> _workflows = new(StringComparer.Ordinal);
    readonly bool _open;

    public StandInWorkflows(string[]? workflows, IReadOnlyDictionary<string, string>? statuses = null)
    {
        _open = workflows is null;
        foreach (var id in workflows ?? [])
            Set(id, "ACTIVE");
        foreach (var (id, status) in statuses ?? new Dictionary<string, string>())
            Set(id, status);
    }

    /// <summary>Creates the workflow or changes its status (<c>POST /_standin/workflows</c>).</summary>
    /// <exception cref="ArgumentException">The status is not one of <see cref="Statuses"/>.</exception>
    public StandInWorkflow Set(string workflowId, string status)
    {
        if (!Statuses.Contains(status, StringComparer.Ordinal))
            throw new ArgumentException($"A workflow's status is {string.Join(", ", Statuses)}, not '{status}'.", nameof(status));
        return _workflows.AddOrUpdate(workflowId, id => new StandInWorkflow(id, status, DateTimeOffset.UtcNow), (_, known) => known with { Status = status });
    }

    /// <summary>The workflow a trigger names, or null when it does not exist in this environment.</summary>
    public StandInWorkflow? Find(string workflowId) =>
        _workflows.TryGetValue(workflowId, out var known) ? known
        : _open ? _workflows.GetOrAdd(workflowId, id => new StandInWorkflow(id, "ACTIVE", DateTimeOffset.UtcNow))
        : null;

    /// <summary>Every workflow, oldest first (Novu's list is stable across pages).</summary>
    public IReadOnlyList<StandInWorkflow> All =>
        [.. _workflows.Values.OrderBy(w => w.CreatedAt).ThenBy(w => w.WorkflowId, StringComparer.Ordinal)];
}
