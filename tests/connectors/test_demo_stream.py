"""The demo's gentle stream of orders through its sandbox connections."""

from commerce.orders.models import Order
from connectors.models import WebhookDelivery
from connectors.services.connections import ConnectionInput, connection_create
from connectors.services.deliveries import sandbox_stream_tick


def test_each_streaming_sandbox_connection_delivers_a_signed_order(shopify_stock):
    streaming = connection_create(
        data=ConnectionInput(
            connector="shopify", name="演示沙箱", credentials={}, settings={"demo_stream": True}, sandbox=True
        )
    )
    connection_create(data=ConnectionInput(connector="shopify", name="安静", credentials={}, settings={}, sandbox=True))

    made = sandbox_stream_tick()

    assert made == {streaming.pk: 1}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.connection_id, delivery.verified, delivery.outcome) == (streaming.pk, True, "processed")
    assert Order.objects.get().external_id == delivery.result["orders"][0]["external_id"]


def test_the_demo_seed_makes_a_streaming_sandbox_connection_per_channel_it_has(db):
    from connectors.models import Connection
    from orderflow.demo.services import demo_seed

    demo_seed(orders=0, products=5, password="demo-password-1")
    demo_seed(orders=0, products=5, password="demo-password-1")  # idempotent

    shopify = Connection.objects.get(connector="shopify")
    assert (shopify.sandbox, shopify.settings["demo_stream"], shopify.settings["channel"]) == (True, True, "shopify")
    assert sandbox_stream_tick()[shopify.pk] == 1
