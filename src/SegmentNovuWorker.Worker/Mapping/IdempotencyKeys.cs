using System.Security.Cryptography;
using System.Text;
using MassTransit;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Worker.Failures;

namespace SegmentNovuWorker.Worker.Mapping;

/// <summary>
/// The <c>Idempotency-Key</c> of each Novu call: a hash of the Segment messageId, the call and the message's key lineage
/// (<see cref="FailureReport.KeyLineage"/>). An attempt whose answer was lost asks again under the same key; any answered
/// attempt, and every operator replay, moves to a new one, because Novu replays an answered key's answer (errors
/// included) for 24 h. The hash keeps the key ASCII and under 100 characters for any messageId (Novu allows 255; a
/// non-ASCII header cannot be sent at all). The notification itself is deduplicated by the trigger's transactionId.
/// </summary>
public static class IdempotencyKeys
{
    public static string For(ConsumeContext context, ISegmentEvent segmentEvent, string operation) =>
        For(context, segmentEvent.MessageId, operation);

    /// <summary>
    /// A trigger's key follows its transactionId (the messageId, or the id a mapping rule derives): each rule that one
    /// event matches gets its own, since one key with two different bodies is refused by Novu.
    /// </summary>
    public static string ForTrigger(ConsumeContext context, string transactionId) => For(context, transactionId, "trigger");

    static string For(ConsumeContext context, string id, string operation)
    {
        var lineage = context.ReceiveContext.GetOrAddPayload(() => FailureReport.FromHeaders(context.Headers)).KeyLineage;
        return For(id, operation, lineage);
    }

    /// <param name="id">The Segment messageId, or the transactionId a mapping rule derives from it.</param>
    /// <param name="operation">ASCII name of the call (<c>trigger</c>, <c>subscriber</c>, …), readable in Novu's logs.</param>
    /// <param name="lineage">The message's <see cref="FailureReport.KeyLineage"/>.</param>
    public static string For(string id, string operation, string lineage)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{id}\n{operation}\n{lineage}"));
        return $"snw-{operation}-{Convert.ToHexStringLower(hash)}";
    }
}
