namespace SegmentNovuWorker.Worker.Ordering;

/// <summary>Marks a delivery that the redelivery layer parked in a wait queue (its user is now held).</summary>
public sealed class ParkedForRedelivery;
