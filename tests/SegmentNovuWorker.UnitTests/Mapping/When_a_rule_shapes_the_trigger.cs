using SegmentNovuWorker.Mapping;
using static SegmentNovuWorker.UnitTests.Mapping.Mappings;

namespace SegmentNovuWorker.UnitTests.Mapping;

/// <summary>Every directive of a rule: payload (path, template, literal, json, object, list), to, overrides, actor, tenant.</summary>
public sealed class When_a_rule_shapes_the_trigger
{
    const string Order = """{"order_id":"o-42","total":99.5,"currency":"EUR","items":[{"sku":"sku-1"},{"sku":"sku-2"}],"Order Note":"gift"}""";
    const string Context = """{"traits":{"email":"ada@example.com","firstName":"Ada","plan":"pro"},"groupId":"acme"}""";

    static MappingResult MapOrder(string rule) =>
        Compile($$"""{"Workflows": [ {"Event": "Order Completed", "Workflow": "order-receipt", {{rule}} } ]}""")
            .Map(Track("Order Completed", Order, Context));

    [Fact]
    public void Should_take_a_payload_value_from_a_path_keeping_its_json_type()
    {
        var trigger = Single(MapOrder("""
            "Payload": {"orderId": "$.properties.order_id", "total": {"@path": "properties.total"}, "firstSku": "$.properties.items[0].sku",
                        "note": "$.properties['Order Note']", "plan": "$.traits.plan", "at": "$.timestamp"}
            """));

        SameJson("""{"orderId":"o-42","total":99.5,"firstSku":"sku-1","note":"gift","plan":"pro","at":"2026-11-30T09:00:00.000Z"}""", trigger.Payload);
    }

    [Fact]
    public void Should_render_a_payload_value_from_a_liquid_template()
    {
        var trigger = Single(MapOrder("""
            "Payload": {"greeting": "Hi {{ context.traits.firstName }}", "total": {"@template": "{{ properties.total | times: 2 }} {{ properties.currency }}"},
                        "skus": "{% for i in properties.items %}{{ i.sku }};{% endfor %}"}
            """));

        SameJson("""{"greeting":"Hi Ada","total":"199.0 EUR","skus":"sku-1;sku-2;"}""", trigger.Payload);
    }

    [Fact]
    public void Should_send_literals_as_written_and_typed_literals_as_json()
    {
        var trigger = Single(MapOrder("""
            "Payload": {"source": "segment", "escaped": {"@literal": "{{ not a template }}"}, "vip": {"@json": "true"}, "limit": {"@json": "3"},
                        "shipping": {"method": "$.properties.shipping_method", "country": "FR"}, "tags": ["receipt", "$.properties.currency"]}
            """));

        SameJson("""{"source":"segment","escaped":"{{ not a template }}","vip":true,"limit":3,"shipping":{"country":"FR"},"tags":["receipt","EUR"]}""", trigger.Payload);
    }

    [Fact]
    public void Should_leave_out_what_resolves_to_nothing_and_never_send_null()
    {
        var trigger = Single(MapOrder("""
            "Payload": {"orderId": "$.properties.order_id", "coupon": "$.properties.coupon", "name": "{{ properties.missing }}", "empty": {"a": "$.nothing"}},
            "To": {"phone": "$.context.traits.phone"}, "Actor": "$.properties.actor_id", "Tenant": "$.context.tenant"
            """));

        SameJson("""{"name":"order-receipt","to":{"subscriberId":"u-1"},"payload":{"orderId":"o-42"},"transactionId":"ajs-1:order-receipt"}""", System.Text.Json.Nodes.JsonNode.Parse(Wire(trigger)));
    }

    [Fact]
    public void Should_send_the_whole_properties_when_the_payload_is_omitted_or_a_path_to_them()
    {
        Assert.Equal("o-42", Single(MapOrder("\"Name\": \"r\"")).Payload["order_id"]!.ToString());
        Assert.Equal("o-42", Single(MapOrder("""  "Payload": {"@path": "properties"}  """)).Payload["order_id"]!.ToString());
    }

    [Fact]
    public void Should_put_the_subscriber_inline_in_to_so_novu_can_reach_a_user_it_never_saw()
    {
        var trigger = Single(MapOrder("""
            "To": {"subscriberId": "$.properties.order_id", "email": "$.context.traits.email", "firstName": "$.context.traits.firstName", "data": {"plan": "$.traits.plan"}}
            """));

        SameJson("""{"subscriberId":"o-42","email":"ada@example.com","firstName":"Ada","data":{"plan":"pro"}}""", trigger.To);
    }

    [Fact]
    public void Should_default_the_subscriber_id_to_the_user_id()
    {
        var trigger = Single(MapOrder("""  "To": {"email": "$.context.traits.email"}  """));

        SameJson("""{"subscriberId":"u-1","email":"ada@example.com"}""", trigger.To);
    }

    [Fact]
    public void Should_send_overrides_actor_and_tenant()
    {
        var trigger = Single(MapOrder("""
            "Overrides": {"email": {"subject": "Your order {{ properties.order_id }}", "bypass": {"@json": "false"}}},
            "Actor": {"subscriberId": "$.properties.items[1].sku", "firstName": "Shop"},
            "Tenant": "$.context.groupId"
            """));

        SameJson("""{"email":{"subject":"Your order o-42","bypass":false}}""", trigger.Overrides!);
        SameJson("""{"subscriberId":"sku-2","firstName":"Shop"}""", trigger.Actor!);
        Assert.Equal("\"acme\"", trigger.Tenant!.ToJsonString());
    }

    [Fact]
    public void Should_send_a_numeric_actor_or_tenant_as_its_text()
    {
        var trigger = Single(MapOrder("""  "Actor": "$.properties.total", "Tenant": {"identifier": "$.context.groupId", "name": "Acme"}  """));

        Assert.Equal("\"99.5\"", trigger.Actor!.ToJsonString());
        SameJson("""{"identifier":"acme","name":"Acme"}""", trigger.Tenant!);
    }
}
