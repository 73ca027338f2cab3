using System.Net;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Novu.Subscribers;

namespace SegmentNovuWorker.UnitTests.Novu.Subscribers;

/// <summary>Reading Novu's bulk upsert answer one subscriber at a time, and which subscribers may ride in a bulk at all.</summary>
public sealed class When_a_bulk_answer_is_read
{
    static readonly SubscriberUpsert[] Sent = [new("a"), new("b"), new("c")];

    [Fact]
    public void Should_match_a_failure_without_an_id_to_the_subscriber_novu_did_not_write()
    {
        // Novu takes the failed entry's id from the write's operation, where an upsert may not carry it.
        var answer = new BulkSubscribersAnswer([new("a")], [new("c")], [new("Document failed validation", null)]);

        var outcomes = NovuFailureClassification.FromBulkAnswer("bulk", Sent, answer);

        Assert.Equal([true, false, true], outcomes.Select(o => o.Written));
        var failure = Assert.IsType<NovuRejectedException>(outcomes[1].Failure);
        Assert.Equal(("Document failed validation", HttpStatusCode.Created), (failure.NovuMessage, failure.StatusCode));
    }

    [Fact]
    public void Should_retry_a_duplicate_key_and_a_subscriber_the_answer_does_not_mention()
    {
        var answer = new BulkSubscribersAnswer([], [new("a")], [new("E11000 duplicate key error collection: subscribers", "b")]);

        var outcomes = NovuFailureClassification.FromBulkAnswer("bulk", Sent, answer);

        Assert.IsType<NovuRetryableException>(outcomes[1].Failure);
        Assert.IsType<NovuRetryableException>(outcomes[2].Failure);
    }

    [Theory]
    [InlineData("peter@example.com", null, true)]
    [InlineData("not an email", null, false)]
    [InlineData("peter@localhost", null, false)]
    [InlineData("p\u00e9ter@example.com", null, false)]
    [InlineData(null, "en-US", true)]
    [InlineData(null, "en_US", true)]
    [InlineData(null, "English", false)]
    public void Should_keep_out_of_a_bulk_a_subscriber_novus_validation_might_refuse(string? email, string? locale, bool mayGoInBulk)
    {
        Assert.Equal(mayGoInBulk, BulkSubscriberRules.WhyNotBulk(new SubscriberUpsert("u", Email: email, Locale: locale)) is null);
    }

    [Theory]
    [InlineData(101, 500, true)]
    [InlineData(2, 500, true)]
    [InlineData(1, 500, false)]
    [InlineData(101, 501, false)]
    [InlineData(300, 200, false)]
    public void Should_validate_the_batch_bounds(int min, int max, bool valid)
    {
        var options = new SubscriberBulkOptions { MinBatch = min, MaxBatch = max };

        Assert.Equal(valid, !options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Any());
    }
}
