using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.DeadLetters;
using SegmentNovuWorker.Operations.Mapping;

namespace SegmentNovuWorker.Admin.Pages.Console.DeadLetters;

/// <summary>One dead letter's whole story: why, when, every header, the event, and what today's mapping would send for it.</summary>
public sealed class ShowModel(DeadLetterOperations deadLetters, IConfiguration configuration) : ConsolePage
{
    public IReadOnlyList<(DeadLetterDetail Detail, MappingTestReport? Mapping, string? MappingProblem)> Found { get; private set; } = [];

    public string MessageId { get; private set; } = "";

    public async Task OnGetAsync(string messageId, CancellationToken cancellationToken)
    {
        MessageId = messageId;
        var found = await TryAsync(() => deadLetters.ShowAsync(messageId, cancellationToken)) ?? [];
        Found = [.. found.Select(d =>
        {
            try
            {
                return (d, MappingTester.TestMessage(configuration, d.DeadLetter.Type, d.Event), (string?)null);
            }
            catch (OperatorException ex)
            {
                return (d, (MappingTestReport?)null, ex.Message);
            }
        })];
    }
}
