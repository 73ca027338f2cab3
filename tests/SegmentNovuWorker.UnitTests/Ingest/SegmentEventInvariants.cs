using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.UnitTests.Ingest;

/// <summary>What every event the ingest publishes must satisfy, whatever it was sent as.</summary>
public static class SegmentEventInvariants
{
    public static void AssertValid(ISegmentEvent e)
    {
        Assert.False(string.IsNullOrEmpty(e.MessageId), "messageId");
        Assert.True(!string.IsNullOrEmpty(e.UserId) || !string.IsNullOrEmpty(e.AnonymousId), "userId or anonymousId");
        switch (e)
        {
            case TrackEvent t:
                Assert.False(string.IsNullOrEmpty(t.Event), "track event name");
                break;
            case GroupEvent g:
                Assert.False(string.IsNullOrEmpty(g.GroupId), "groupId");
                break;
            case AliasEvent a:
                Assert.False(string.IsNullOrEmpty(a.PreviousId), "previousId");
                break;
            case IdentifyEvent or PageEvent or ScreenEvent or DeleteEvent:
                break;
            default:
                Assert.Fail($"Unexpected message type {e.GetType().Name}");
                break;
        }
    }
}
