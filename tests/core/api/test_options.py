"""OPTIONS is not part of the API (the OpenAPI schema describes it): 405 with the error body and
``Allow``, on every view — DRF's metadata answer failed with 500 on views without a queryset."""

import pytest
from rest_framework.test import APIClient

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/order-imports/mappings/{channel}/", "/api/v1/orders/", "/api/v1/auth/me/"])
def test_options_answers_405_with_the_error_body(channel, path):
    client = APIClient()
    client.force_authenticate(make_user("op", "operator"))

    answer = client.options(path.format(channel=channel.code), data='{"columns": {}}', content_type="application/json")

    assert answer.status_code == 405
    assert answer.json()["code"] == "method_not_allowed"
