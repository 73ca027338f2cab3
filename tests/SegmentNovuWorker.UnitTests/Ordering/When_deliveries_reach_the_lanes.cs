using SegmentNovuWorker.Worker.Consumption;
using SegmentNovuWorker.Worker.Ordering;

namespace SegmentNovuWorker.UnitTests.Ordering;

/// <summary>
/// The RabbitMQ client hands a channel's deliveries to MassTransit on several tasks at once, so they can reach the user
/// lanes in another order than the broker delivered them, or late. The lanes must keep each user's order whatever the
/// timing, and a user's burst must not take the slots other users need.
/// </summary>
public sealed class When_deliveries_reach_the_lanes
{
    static readonly object Channel = new();

    /// <summary>Enters a delivery and runs its turn, recording when the run starts; returns the ticket's way.</summary>
    static async Task<LaneWay> RunAsync(UserLanes lanes, string user, ulong tag, List<string> started, Task? hold = null, bool head = false)
    {
        using var ticket = await lanes.EnterAsync(user, head, Channel, tag, CancellationToken.None);
        await ticket.WaitTurnAsync(CancellationToken.None);
        lock (started)
            started.Add($"{user}:{tag}");
        if (hold is not null)
            await hold;
        return ticket.Way;
    }

    [Fact]
    public async Task Should_run_a_users_deliveries_in_tag_order_when_they_arrive_backwards()
    {
        var lanes = new UserLanes("segment-events-00", new PartitionChannels());
        var started = new List<string>();
        var third = RunAsync(lanes, "u", 3, started);
        var second = RunAsync(lanes, "u", 2, started);
        await Task.Delay(50);
        Assert.Empty(started); // nothing runs before tag 1 has come
        await Task.WhenAll(RunAsync(lanes, "u", 1, started), second, third);
        Assert.Equal(["u:1", "u:2", "u:3"], started);
    }

    [Fact]
    public async Task Should_wait_for_an_earlier_delivery_however_late_it_comes()
    {
        var lanes = new UserLanes("segment-events-00", new PartitionChannels());
        var started = new List<string>();
        var later = RunAsync(lanes, "u", 2, started);
        // Far past the 200 ms after which the old lanes gave up on a gap: no timeout decides the order.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(started);
        await RunAsync(lanes, "u", 1, started);
        await later;
        Assert.Equal(["u:1", "u:2"], started);
    }

    [Fact]
    public async Task Should_let_other_users_run_while_one_user_waits_behind_its_own_event()
    {
        var lanes = new UserLanes("segment-events-00", new PartitionChannels());
        var started = new List<string>();
        var slow = new TaskCompletionSource();
        var first = RunAsync(lanes, "a", 1, started, slow.Task);
        var secondOfA = RunAsync(lanes, "a", 2, started);
        await RunAsync(lanes, "b", 3, started);
        Assert.Equal(["a:1", "b:3"], started);
        slow.SetResult();
        await Task.WhenAll(first, secondOfA);
        Assert.Equal(["a:1", "b:3", "a:2"], started);
    }

    [Fact]
    public async Task Should_park_a_held_users_events_without_waiting_for_its_running_one()
    {
        var lanes = new UserLanes("segment-events-00", new PartitionChannels());
        var started = new List<string>();
        var slow = new TaskCompletionSource();
        var running = RunAsync(lanes, "a", 1, started, slow.Task);
        lanes.MarkHeld("a"); // its earlier event went to delayed redelivery

        // Parked as they come: none waits for the running one, so their delivery slots come back at once.
        Assert.Equal(LaneWay.Park, await RunAsync(lanes, "a", 2, started).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(LaneWay.Park, await RunAsync(lanes, "a", 3, started).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(LaneWay.Run, await RunAsync(lanes, "b", 4, started).WaitAsync(TimeSpan.FromSeconds(10)));

        // The head that comes back runs after everything of its user that came before it.
        var head = RunAsync(lanes, "a", 5, started, head: true);
        await Task.Delay(50);
        Assert.DoesNotContain("a:5", started);
        slow.SetResult();
        await Task.WhenAll(running, head);
        Assert.Equal(["a:1", "a:2", "a:3", "b:4", "a:5"], started);
    }

    [Fact]
    public async Task Should_park_what_comes_after_the_hold_opened_behind_what_already_waited_to_run()
    {
        var lanes = new UserLanes("segment-events-00", new PartitionChannels());
        var started = new List<string>();
        var slow = new TaskCompletionSource();
        var first = RunAsync(lanes, "a", 1, started, slow.Task);
        var second = RunAsync(lanes, "a", 2, started); // waits in the run chain behind the first
        await Task.Delay(50);
        lanes.MarkHeld("a"); // the first went to delayed redelivery, or leads its burst's hold

        // The third parks, but only once the second (which will find the hold and park too) has: in the hold queue it
        // must come after it.
        var third = RunAsync(lanes, "a", 3, started);
        await Task.Delay(50);
        Assert.Equal(["a:1"], started);
        slow.SetResult();
        await Task.WhenAll(first, second, third).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["a:1", "a:2", "a:3"], started);
        Assert.Equal(LaneWay.Park, await third);
    }

    [Fact]
    public async Task Should_park_what_comes_after_a_hold_head_behind_what_waited_to_run_before_it()
    {
        var lanes = new UserLanes("segment-events-00", new PartitionChannels());
        var started = new List<string>();
        var slow = new TaskCompletionSource();
        var first = RunAsync(lanes, "a", 1, started, slow.Task);
        var second = RunAsync(lanes, "a", 2, started);
        var head = RunAsync(lanes, "a", 3, started, head: true); // the hold's head, leading the user's burst back
        var fourth = RunAsync(lanes, "a", 4, started);
        await Task.Delay(50);
        Assert.Equal(["a:1"], started);
        slow.SetResult();
        await Task.WhenAll(first, second, head, fourth).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("a:2", started[1]); // the fourth (parked) never goes before the second
        Assert.True(started.IndexOf("a:4") > started.IndexOf("a:2"));
    }

    [Fact]
    public async Task Should_let_a_parked_event_offer_itself_once_the_earlier_offer_is_on_its_way_but_run_only_after_it()
    {
        var lanes = new UserLanes("segment-events-00", new PartitionChannels());
        lanes.MarkHeld("u");
        var first = await lanes.EnterAsync("u", false, Channel, 1, CancellationToken.None);
        using var second = await lanes.EnterAsync("u", false, Channel, 2, CancellationToken.None);
        await first.WaitPlaceTurnAsync(CancellationToken.None);

        var secondOffers = second.WaitPlaceTurnAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(secondOffers.IsCompleted); // not before the first offer has been sent
        first.MarkPlaced(); // sent, not confirmed yet
        await secondOffers.WaitAsync(TimeSpan.FromSeconds(10));

        // Had its offer come back (no hold), it would run only once the first is done: the first may be running too.
        var secondRuns = second.WaitTurnAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(secondRuns.IsCompleted);
        first.Dispose();
        await secondRuns.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Should_tell_a_running_event_how_many_of_its_user_wait_behind_it()
    {
        var lanes = new UserLanes("segment-events-00", new PartitionChannels());
        using var first = await lanes.EnterAsync("u", false, Channel, 1, CancellationToken.None);
        await first.WaitTurnAsync(CancellationToken.None);
        Assert.Equal(0, first.WaitingBehind);
        var behind = new List<LaneTicket>();
        for (ulong tag = 2; tag <= 5; tag++)
            behind.Add(await lanes.EnterAsync("u", false, Channel, tag, CancellationToken.None));
        using var other = await lanes.EnterAsync("v", false, Channel, 6, CancellationToken.None);
        Assert.Equal(4, first.WaitingBehind);
        Assert.Equal(0, other.WaitingBehind);
        behind.ForEach(t => t.Dispose());
    }

    [Fact]
    public async Task Should_not_let_a_later_event_overtake_a_running_one_when_the_one_between_is_cancelled()
    {
        var lanes = new UserLanes("segment-events-00", new PartitionChannels());
        var started = new List<string>();
        var slow = new TaskCompletionSource();
        var first = RunAsync(lanes, "u", 1, started, slow.Task);
        using var cancel = new CancellationTokenSource();
        var secondTicket = await lanes.EnterAsync("u", false, Channel, 2, CancellationToken.None);
        var secondWaits = secondTicket.WaitTurnAsync(cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => secondWaits);
        secondTicket.Dispose(); // its delivery goes back to the broker

        var third = RunAsync(lanes, "u", 3, started);
        await Task.Delay(50);
        Assert.Equal(["u:1"], started); // the third still waits for the first
        slow.SetResult();
        await Task.WhenAll(first, third);
        Assert.Equal(["u:1", "u:3"], started);
    }

    [Fact]
    public async Task Should_run_parked_events_in_their_order_when_the_hold_turns_out_to_be_gone()
    {
        var lanes = new UserLanes("segment-events-00", new PartitionChannels());
        var order = new List<int>();
        lanes.MarkHeld("u");
        var tickets = new List<LaneTicket>();
        for (ulong tag = 1; tag <= 3; tag++)
            tickets.Add(await lanes.EnterAsync("u", false, Channel, tag, CancellationToken.None));
        Assert.All(tickets, t => Assert.Equal(LaneWay.Park, t.Way));

        // Each finds no hold and runs after all, in the order they came.
        var runs = tickets.Select(async (ticket, i) =>
        {
            await ticket.WaitTurnAsync(CancellationToken.None);
            using (var run = ticket.Unpark())
            {
                await run.WaitTurnAsync(CancellationToken.None);
                lock (order)
                    order.Add(i + 1);
            }
            ticket.Dispose();
        }).ToList();
        await Task.WhenAll(runs);
        Assert.Equal([1, 2, 3], order);

        using var after = await lanes.EnterAsync("u", false, Channel, 4, CancellationToken.None);
        Assert.Equal(LaneWay.Run, after.Way); // the user is no longer held here
    }

    [Fact]
    public async Task Should_hand_a_partition_over_only_once_what_ran_is_settled_not_merely_finished()
    {
        // MassTransit acknowledges a delivery after the lane filter returns: a handover that closed the channel when the
        // ticket was disposed found acknowledgements still unwritten, and the next worker ran those deliveries again.
        var lanes = new UserLanes("segment-events-00", new PartitionChannels());
        var ticket = await lanes.EnterAsync("u", false, Channel, 1, CancellationToken.None);
        await ticket.WaitTurnAsync(CancellationToken.None);
        var settled = ticket.HandOffFinish();
        ticket.Dispose();

        var handover = lanes.BeginHandoverAsync();
        Assert.NotNull(settled);
        Assert.False(handover.IsCompleted, "the handover went ahead before the delivery's acknowledgement was written");
        settled();
        await handover.WaitAsync(TimeSpan.FromSeconds(30));
        settled(); // once only: a second call does not count another delivery out
        lanes.EndHandover();
    }
}
