namespace SegmentNovuWorker.Operations.Broker;

/// <summary>
/// An operation could not be done, with a message that says what to do about it and the exit code the tool
/// answers with (<see cref="ExitCodes"/>). Never carries the broker password.
/// </summary>
public sealed class OperatorException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;

    public static OperatorException QueueMissing(string queue, string virtualHost) =>
        new(ExitCodes.NotFound, $"Queue '{queue}' does not exist in virtual host '{virtualHost}'. " +
            "Check --queue (e.g. segment-track or segment-identify), and that ConnectionStrings:RabbitMq names the service's virtual host.");
}
