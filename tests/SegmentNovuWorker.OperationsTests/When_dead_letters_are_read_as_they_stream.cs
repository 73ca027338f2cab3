using System.Text;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.DeadLetters;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>
/// Pages and exports read dead letters from the broker one at a time instead of the whole queue into memory: an export
/// writes its first line while the rest are still in the queue, and a page keeps only its own dead letters.
/// </summary>
public sealed class When_dead_letters_are_read_as_they_stream : IAsyncLifetime
{
    const int Count = 40;
    const string User = "user-with-many-dead-letters";
    SegmentNovuStack _stack = null!;

    string ErrorQueue => SegmentQueues.ErrorQueueOf(CallQueues.PartitionQueueOf(User));

    public async Task InitializeAsync()
    {
        _stack = await DeadLetterStack.StartAsync();
        await DeadLetterStack.PostAsync(_stack, Enumerable.Range(1, Count).Select(i => DeadLetterStack.Track($"unmapped-{i:00}", "Order Completed", User)));
        await DeadLetterStack.WaitForDeadLettersAsync(_stack, CallQueues.Track, Count);
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    DeadLetterOperations Operations() => new(new BrokerConnector(new BrokerSettings(_stack.RabbitMq, _stack.Broker.ManagementUri)));

    [Fact]
    public async Task Should_write_the_first_line_of_an_export_before_reading_the_last_dead_letter()
    {
        var output = new FirstLineProbe(() => RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, ErrorQueue));

        var exported = await Operations().ExportAsync(DeadLetterFilter.All, output, CancellationToken.None);

        Assert.Equal(Count, exported);
        Assert.Equal(Count, output.Lines);
        // Read one by one, unacknowledged: when the first line is written the others are still ready in the queue.
        Assert.Equal((uint)Count - 1, output.ReadyAtFirstLine);
        Assert.Equal((uint)Count, await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, ErrorQueue)); // all handed back
    }

    [Fact]
    public async Task Should_keep_only_the_pages_dead_letters_and_count_them_all()
    {
        var page = await Operations().ListAsync(DeadLetterFilter.All, page: 3, pageSize: 7, CancellationToken.None);

        Assert.Equal(Count, page.Matching);
        Assert.Equal(Enumerable.Range(15, 7).Select(i => $"unmapped-{i:00}"), page.Items.Select(d => d.MessageId));
    }

    [Fact]
    public async Task Should_summarize_as_it_reads()
    {
        var issue = Assert.Single(await Operations().SummarizeAsync(DeadLetterFilter.All, CancellationToken.None));

        Assert.Equal(("unmapped-event", "Order Completed", Count), (issue.Reason, issue.EventName, issue.Count));
    }

    /// <summary>Records how many dead letters were still ready in their queue when the first line was written.</summary>
    sealed class FirstLineProbe(Func<Task<uint?>> ready) : TextWriter
    {
        public int Lines { get; private set; }

        public uint? ReadyAtFirstLine { get; private set; }

        public override Encoding Encoding => Encoding.UTF8;

        public override async Task WriteLineAsync(string? value)
        {
            if (Lines++ == 0)
                ReadyAtFirstLine = await ready();
        }
    }
}
