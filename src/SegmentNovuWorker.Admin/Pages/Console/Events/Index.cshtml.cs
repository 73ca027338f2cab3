using SegmentNovuWorker.Admin.DeliveryLog;
using SegmentNovuWorker.Operations.DeliveryLog;

namespace SegmentNovuWorker.Admin.Pages.Console.Events;

/// <summary>The delivery log: a user's timeline (or any search), newest first, each step with Novu's answer.</summary>
public sealed class IndexModel(DeliveryLogIndex index) : ConsolePage
{
    public string? Who { get; private set; }
    public string? MessageId { get; private set; }
    public string? Event { get; private set; }
    public string? Workflow { get; private set; }
    public string? Outcome { get; private set; }

    /// <summary>Null until something is searched for: the whole log is not a page.</summary>
    public DeliveryLogPage? Result { get; private set; }

    public void OnGet(string? user, string? messageId, string? @event, string? workflow, string? outcome)
    {
        (Who, MessageId, Event, Workflow, Outcome) = (Blank(user), Blank(messageId), Blank(@event), Blank(workflow), Blank(outcome));
        if (Who is null && MessageId is null && Event is null && Workflow is null && Outcome is null)
            return;
        Result = index.Search(new DeliveryLogFilter(Who, MessageId, Event, Workflow, Outcome, Limit: 200));
    }

    static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
