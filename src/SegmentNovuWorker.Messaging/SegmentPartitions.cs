using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SegmentNovuWorker.Messaging;

/// <summary>
/// Which partition a user's events go to. Computed by the publisher from a stable hash (not
/// <see cref="string.GetHashCode()"/>, which differs per process), so a user always lands in the same queue and the
/// mapping never shifts while the partition count stays the same.
/// </summary>
public static class SegmentPartitions
{
    public static int PartitionOf(string userKey, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(userKey), hash);
        return (int)(BinaryPrimitives.ReadUInt32BigEndian(hash) % (uint)partitions);
    }

    /// <summary>A short, ASCII, fixed-length name for a user key, safe in queue names and routing keys.</summary>
    public static string UserHash(string userKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userKey)))[..24];
}
