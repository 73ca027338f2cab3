using System.Security.Cryptography;
using System.Text;

namespace SegmentNovuWorker.Ingest.Authentication;

/// <summary>
/// Whether a presented key or token is one of the configured ones, in constant time: both sides are hashed (SHA-256)
/// so neither a value's length nor where it first differs shows in the time taken, and every value is compared.
/// </summary>
static class ConfiguredSecrets
{
    public static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    public static bool Contains(IReadOnlyList<string> accepted, byte[] givenHash)
    {
        var matched = false;
        foreach (var value in accepted)
        {
            if (!string.IsNullOrWhiteSpace(value))
                matched |= CryptographicOperations.FixedTimeEquals(givenHash, Hash(value));
        }
        return matched;
    }
}
