using SegmentNovuWorker.Admin.Api;
using SegmentNovuWorker.Operations.DeadLetters;

namespace SegmentNovuWorker.Admin.Pages.Console.DeadLetters;

/// <summary>The dead letters matching a filter (those of <c>segment-novu dlq list</c>), page by page.</summary>
public sealed class IndexModel(DeadLetterOperations deadLetters) : ConsolePage
{
    public const int PageSize = 25;

    public FilterQuery Filter { get; private set; } = FilterQuery.From(DeadLetterFilter.All);

    public DeadLetterPage? Result { get; private set; }

    public int Pages => Result is null ? 1 : Math.Max(1, (Result.Matching + PageSize - 1) / PageSize);

    public async Task OnGetAsync(FilterQuery filter, int pageNumber = 1, CancellationToken cancellationToken = default)
    {
        Filter = filter;
        Result = await TryAsync(() => deadLetters.ListAsync(filter.ToFilter(), Math.Max(1, pageNumber), PageSize, cancellationToken));
    }

    public Dictionary<string, string?> RouteFor(int pageNumber) => new(Filter.ToRouteValues()) { ["pageNumber"] = pageNumber.ToString(System.Globalization.CultureInfo.InvariantCulture) };
}
