namespace SegmentNovuWorker.Operations.Broker;

/// <summary>What the <c>segment-novu</c> tool exits with; scripts may rely on these.</summary>
public static class ExitCodes
{
    /// <summary>Done, everything asked for happened.</summary>
    public const int Ok = 0;

    /// <summary>The command line was wrong, or a destructive command was refused (purge without <c>--yes</c>).</summary>
    public const int Usage = 1;

    /// <summary>The broker (or its management API) did not answer, or refused the credentials or virtual host.</summary>
    public const int BrokerUnavailable = 2;

    /// <summary>A queue or a message that was named does not exist.</summary>
    public const int NotFound = 3;

    /// <summary>Some messages were handled and some were not (a replay that could not publish one, or was interrupted); see the output.</summary>
    public const int PartialFailure = 4;

    /// <summary><c>doctor</c>: at least one check of the setup failed; the output says which and how to fix it.</summary>
    public const int CheckFailed = 5;
}
