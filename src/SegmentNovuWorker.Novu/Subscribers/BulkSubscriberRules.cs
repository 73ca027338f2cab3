using System.Text.RegularExpressions;

namespace SegmentNovuWorker.Novu.Subscribers;

/// <summary>
/// Whether a subscriber may ride in a bulk upsert. Novu validates every subscriber of a bulk call before it writes any
/// (apps/api <c>BulkSubscriberCreateDto</c> → <c>CreateSubscriberRequestDto</c>: <c>subscriberId</c> a string, <c>email</c>
/// <c>IsEmail</c>, <c>locale</c> <c>IsLocale</c>, names, phone and avatar strings), and one invalid subscriber fails the
/// whole request. These rules are stricter than class-validator's (a plain ASCII address, a simple language tag), so a
/// subscriber they pass is one Novu accepts; one they do not pass goes as a single upsert and gets Novu's own answer, and
/// cannot fail its neighbours. A stricter rule only costs a single call; a looser one would cost a rejected bulk.
/// </summary>
public static partial class BulkSubscriberRules
{
    /// <summary>Why this subscriber must go on its own, or null when it may go in a bulk call.</summary>
    public static string? WhyNotBulk(SubscriberUpsert subscriber)
    {
        if (string.IsNullOrEmpty(subscriber.SubscriberId) || subscriber.SubscriberId.Length > 255)
            return "subscriberId is empty or too long";
        if (subscriber.Email is { } email && (email.Length > 254 || email.IndexOf('@') > 64 || !Email().IsMatch(email)))
            return "email is not a plain address";
        if (subscriber.Locale is { } locale && !Locale().IsMatch(locale))
            return "locale is not a simple language tag";
        return null;
    }

    // validator.js isEmail accepts more (quoted local parts, IP domains, UTF-8); this accepts a subset of it.
    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")]
    private static partial Regex Email();

    [GeneratedRegex(@"^[a-z]{2,3}(?:[-_][A-Z]{2})?$")]
    private static partial Regex Locale();
}
