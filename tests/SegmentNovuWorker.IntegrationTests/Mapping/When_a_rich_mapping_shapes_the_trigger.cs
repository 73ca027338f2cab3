using System.Text.Json.Nodes;
using SegmentNovuWorker.IntegrationTests.Failures;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;
using SegmentNovuWorker.Worker.Failures;
using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.IntegrationTests.Mapping;

/// <summary>Issue 11 end to end: rules with a condition, a shaped payload, an inline recipient, overrides, actor and tenant.</summary>
public sealed class When_a_rich_mapping_shapes_the_trigger
{
    static readonly (string, string?)[] Rules =
    [
        ("Novu:Workflows:0:Event", "Order Completed"),
        ("Novu:Workflows:0:Workflow", "order-receipt"),
        ("Novu:Workflows:0:When", "properties.total > 0"),
        ("Novu:Workflows:0:Payload:orderId", "$.properties.order_id"),
        ("Novu:Workflows:0:Payload:total", "{{ properties.total }} {{ properties.currency }}"),
        ("Novu:Workflows:0:Payload:coupon", "$.properties.coupon"),
        ("Novu:Workflows:0:To:email", "$.context.traits.email"),
        ("Novu:Workflows:0:To:firstName", "$.context.traits.firstName"),
        ("Novu:Workflows:0:Overrides:email:subject", "Your order {{ properties.order_id }}"),
        ("Novu:Workflows:0:Actor", "$.properties.seller_id"),
        ("Novu:Workflows:0:Tenant", "$.context.groupId"),
        ("Novu:Workflows:1:Event", "Order Completed"),
        ("Novu:Workflows:1:Workflow", "loyalty-points"),
        ("Novu:Workflows:1:Name", "loyalty"),
        ("Novu:Workflows:1:Payload:lines", "{% for i in (1..properties.items) %}.{% endfor %}"),
    ];

    static string Order(string messageId, string userId, decimal total, int items = 1) => $$$"""
        {"type":"track","messageId":"{{{messageId}}}","userId":"{{{userId}}}","event":"Order Completed",
         "properties":{"order_id":"o-42","total":{{{total}}},"currency":"EUR","seller_id":"shop-1","items":{{{items}}}},
         "context":{"traits":{"email":"ada@example.com","firstName":"Ada"},"groupId":"acme"}}
        """;

    [Fact]
    public async Task Should_reach_a_subscriber_whose_identify_never_came_with_the_email_in_place()
    {
        await using var stack = await FailureStack.StartAsync(Rules);

        await stack.PostAsync(Order("m-order-1", "u-never-identified", 99.5m));

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 2, "Novu triggered both workflows");
        var receipt = stack.Novu.Notifications.Single(n => n.Workflow == "order-receipt");
        Assert.Equal("u-never-identified", receipt.To);
        Assert.True(receipt.SubscriberHadEmail);
        Assert.Equal("ada@example.com", receipt.SubscriberEmail);
        Assert.Equal("ada@example.com", stack.Novu.Subscribers["u-never-identified"]["email"]?.ToString());

        var request = stack.Novu.Requests.Single(r => r.Path == "/v1/events/trigger" && r.Body.Contains("order-receipt", StringComparison.Ordinal));
        JsonAssert.Equivalent("""
            {
              "name": "order-receipt",
              "to": { "subscriberId": "u-never-identified", "email": "ada@example.com", "firstName": "Ada" },
              "payload": { "orderId": "o-42", "total": "99.5 EUR" },
              "transactionId": "m-order-1:order-receipt",
              "overrides": { "email": { "subject": "Your order o-42" } },
              "actor": "shop-1",
              "tenant": "acme"
            }
            """, request.Body);
        Assert.Equal(IdempotencyKeys.For("m-order-1:order-receipt", "trigger", FailureReport.FirstLineage), request.IdempotencyKey);
        Assert.Equal("m-order-1:loyalty", stack.Novu.Notifications.Single(n => n.Workflow == "loyalty-points").TransactionId);
    }

    [Fact]
    public async Task Should_skip_a_rule_whose_condition_fails_and_dead_letter_an_event_whose_template_fails()
    {
        await using var stack = await FailureStack.StartAsync(Rules);

        await stack.PostAsync(Order("m-refund", "u-1", -5m));          // only the loyalty rule holds
        await stack.PostAsync(Order("m-huge", "u-2", 10m, 1_000_000)); // the loyalty template runs out of steps

        var deadLetter = await stack.SingleDeadLetterAsync(CallQueues.Track);
        Assert.Equal("mapping-failed", deadLetter.Header(DeadLetterHeaders.Reason));
        Assert.Contains("'loyalty'", deadLetter.Header("MT-Fault-Message"));
        Assert.Contains("m-huge", deadLetter.Header("Segment-MessageId") ?? deadLetter.Body);
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 1, "the refund's loyalty rule triggered");
        Assert.Equal(("loyalty-points", "u-1"), (stack.Novu.Notifications[0].Workflow, stack.Novu.Notifications[0].To));
        Assert.DoesNotContain(stack.Novu.Requests, r => r.Body.Contains("m-huge", StringComparison.Ordinal));
    }
}
