"""Every refusal speaks the request's language (``Accept-Language``), whatever the site's default.

The site's default is Chinese; these tests keep it so (``LANGUAGE_CODE = "zh-hans"``) and ask for
English, then for Chinese. The refusals made in middleware (the body size, NUL characters) come
after ``LocaleMiddleware`` now: before, a 413 answered in the default language — or in whichever
language the server thread had served last.
"""

import pytest
from rest_framework.test import APIClient

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def chinese_site(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.ORDERFLOW_MAX_BODY_BYTES = 1000


@pytest.fixture
def client(chinese_site):
    client = APIClient()
    client.force_authenticate(make_user("op", "admin"))
    return client


def _post(client, path: str, body: str, language: str):
    return client.post(path, data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)


CASES = [
    # (what, request, the English message or detail, the Chinese one)
    (
        "a body over the limit",
        lambda c, lang: _post(c, "/api/v1/orders/", "x" * 2000, lang),
        "The request body is larger than 1000 bytes.",
        "请求体超过 1000 字节。",
    ),
    (
        "malformed JSON",
        lambda c, lang: _post(c, "/api/v1/orders/", "{", lang),
        "The body is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        "请求体不是有效的 JSON：Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
    ),
    (
        "a NUL in the body",
        lambda c, lang: _post(c, "/api/v1/orders/", '{"a": "\\u0000"}', lang),
        "A text holds a NUL character or a lone surrogate, which cannot be stored.",
        "文本中包含空字符（NUL）或孤立的代理字符，无法存储。",
    ),
    (
        "a number past infinity",
        lambda c, lang: _post(c, "/api/v1/orders/", '{"a": 1e400}', lang),
        "The number 1e400 cannot be stored: it is too large or not a number.",
        "数字 1e400 无法存储：数值过大或不是数字。",
    ),
    (
        "a garbled cursor",
        lambda c, lang: c.get("/api/v1/orders/", {"cursor": "abc"}, HTTP_ACCEPT_LANGUAGE=lang),
        "The cursor is not one this list gave out; start again from the first page.",
        "分页游标无效（不是此列表给出的），请从第一页重新开始。",
    ),
    (
        "a NUL in a query parameter",
        lambda c, lang: c.get("/api/v1/orders/?q=%00", HTTP_ACCEPT_LANGUAGE=lang),
        "Null characters are not allowed.",
        "不允许包含空字符（NUL）。",
    ),
    (
        "DRF's own required field",
        lambda c, lang: _post(c, "/api/v1/orders/", "{}", lang),
        "This field is required.",
        "该字段是必填项。",
    ),
    (
        "DRF's own choice",
        lambda c, lang: c.get("/api/v1/executions/", {"status": "nope"}, HTTP_ACCEPT_LANGUAGE=lang),
        '"nope" is not a valid choice.',
        "“nope” 不是合法选项。",
    ),
    (
        "the project's own filter message",
        lambda c, lang: c.get("/api/v1/tickets/", {"status": "nope"}, HTTP_ACCEPT_LANGUAGE=lang),
        "Unknown status: nope.",
        "未知状态：nope。",
    ),
    (
        "a 404 from Django's handler",
        lambda c, lang: c.get("/api/v1/nowhere/", HTTP_ACCEPT_LANGUAGE=lang),
        "Nothing is at this address.",
        "此地址不存在。",
    ),
]


def _texts(response) -> str:
    """Every text of the answer's body, one a line."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.append(value)

    walk(response.json())
    return "\n".join(found)


@pytest.mark.parametrize(("what", "send", "english", "chinese"), CASES, ids=[case[0] for case in CASES])
def test_english_when_asked_on_a_chinese_site(client, what, send, english, chinese):
    response = send(client, "en")

    assert 400 <= response.status_code < 500
    assert english in _texts(response), (what, response.json())


@pytest.mark.parametrize(("what", "send", "english", "chinese"), CASES, ids=[case[0] for case in CASES])
def test_chinese_when_asked(client, what, send, english, chinese):
    response = send(client, "zh-hans")

    assert chinese in _texts(response), (what, response.json())


def test_a_refusal_does_not_keep_the_language_of_the_request_before_it(client):
    _post(client, "/api/v1/orders/", "{}", "zh-hans")

    response = _post(client, "/api/v1/orders/", "x" * 2000, "en")

    assert response.json()["message"] == "The request body is larger than 1000 bytes."
