using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Messaging;

/// <summary>The <c>Topology</c> section, read by the ingest API, the worker and the operator tool alike.</summary>
public sealed class TopologyOptions
{
    public const string Section = "Topology";

    /// <summary>
    /// <c>Topology:Partitions</c>: how many partition queues the users are spread over. Every process must agree:
    /// changing it moves users to other queues, so change it only with the queues drained.
    /// </summary>
    [Range(1, 256)]
    public int Partitions { get; set; } = 16;

    /// <summary>Every partition number.</summary>
    public IEnumerable<int> All => Enumerable.Range(0, Partitions);
}
