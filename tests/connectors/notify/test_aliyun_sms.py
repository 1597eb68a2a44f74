"""Aliyun SMS: the RPC signature against Aliyun's documented worked example, and the sandbox round trip."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from connectors.base import ProviderError
from connectors.notify.aliyun_sms import signing
from connectors.notify.aliyun_sms.client import BEIJING
from connectors.notify.aliyun_sms.sandbox import AliyunSmsSimulator
from connectors.notify.channels import OutgoingMessage
from connectors.services.connections import connection_client, connection_test

# The worked example of Aliyun's "HTTP protocol and signature" page for SendSms (AccessKeyId testId,
# secret testSecret): the documented StringToSign and Signature, reproduced byte for byte.
DOCUMENTED = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
DOCUMENTED_SIGNATURE = "zJDF+Lrzhj/ThnlvIToysFRq6t4="
DOCUMENTED_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%26PhoneNumbers%3D15300000001"
    "%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4"
    "%25BF%25A1%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1"
    "%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode%3DSMS_71390007"
    "%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D%26Timestamp%3D2017-07-12T02%253A42%253A19Z"
    "%26Version%3D2017-05-25"
)


def test_the_documented_example_signs_to_the_documented_signature():
    assert signing.string_to_sign(DOCUMENTED) == DOCUMENTED_STRING_TO_SIGN
    assert signing.sign(DOCUMENTED, "testSecret") == DOCUMENTED_SIGNATURE
    assert signing.verify({**DOCUMENTED, "Signature": DOCUMENTED_SIGNATURE}, "testSecret")


@pytest.mark.parametrize(
    "tampered",
    [
        {"PhoneNumbers": "15300000002"},
        {"TemplateParam": '{"customer":"tesT"}'},
        {"Timestamp": "2017-07-12T02:42:18Z"},
    ],
)
def test_a_one_byte_change_to_any_parameter_breaks_the_signature(tampered):
    assert not signing.verify({**DOCUMENTED, **tampered, "Signature": DOCUMENTED_SIGNATURE}, "testSecret")
    assert not signing.verify({**DOCUMENTED, "Signature": "zJDF+Lrzhj/ThnlvIToysFRq6t5="}, "testSecret")
    assert not signing.verify({**DOCUMENTED, "Signature": DOCUMENTED_SIGNATURE}, "testSecreT")


def test_percent_encoding_follows_rfc_3986():
    assert signing.percent("a b*c~d/é") == "a%20b%2Ac~d%2F%C3%A9"


def test_a_message_goes_through_the_sandbox_signed_and_is_kept(sms):
    receipt = connection_client(sms).send(
        OutgoingMessage(recipient="13812345678", template="SMS_154950909", params={"number": "SO-1"}),
        idempotency_key="k1",
    )

    assert receipt.message_id.endswith("^0")
    assert receipt.response["Code"] == "OK"
    [kept] = AliyunSmsSimulator(sms).messages()
    assert {k: v for k, v in kept.items() if k not in ("send_date", "sent_at")} == {
        "phone": "13812345678",
        "sign_name": "Orderflow",
        "template": "SMS_154950909",
        "params": {"number": "SO-1"},
        "out_id": "k1",
    }
    assert kept["send_date"] == datetime.now(BEIJING).strftime("%Y%m%d")


def test_send_details_find_a_message_by_its_out_id_and_nothing_for_another_key(sms):
    client = connection_client(sms)
    message = OutgoingMessage(recipient="13812345678", template="SMS_154950909", params={"number": "SO-1"})
    client.send(message, idempotency_key="k1")
    since = timezone.now() - timedelta(minutes=1)

    found = client.sent_lookup(message, idempotency_key="k1", since=since)
    assert found is not None and found.message_id == "OutId:k1"
    assert (found.response["found_by"], found.response["SendStatus"]) == ("QuerySendDetails", "3")
    assert client.sent_lookup(message, idempotency_key="k2", since=since) is None
    other_phone = OutgoingMessage(recipient="13900000000", template="SMS_154950909")
    assert client.sent_lookup(other_phone, idempotency_key="k1", since=since) is None


def test_send_details_with_a_malformed_date_is_refused_by_the_sandbox(sms):
    client = connection_client(sms)
    with pytest.raises(ProviderError) as refused:
        client.call(
            "QuerySendDetails",
            {"PhoneNumber": "13812345678", "SendDate": "2026-1-1", "PageSize": "10", "CurrentPage": "1"},
        )
    assert refused.value.code == "isv.INVALID_PARAMETERS" and not refused.value.retryable


def test_the_sandbox_refuses_a_request_signed_with_another_secret(sms):
    client = connection_client(sms)
    client.access_key_secret = "another-secret"  # as a connection holding a wrong secret

    with pytest.raises(ProviderError) as refused:
        client.send(OutgoingMessage(recipient="13812345678", template="SMS_1"), idempotency_key="k1")

    assert (refused.value.code, refused.value.retryable) == ("SignatureDoesNotMatch", False)
    assert AliyunSmsSimulator(sms).messages() == []


@pytest.mark.parametrize(
    ("phone", "fault", "code", "retryable"),
    [
        ("12345", None, "isv.MOBILE_NUMBER_ILLEGAL", False),
        ("13812345678", "isv.BUSINESS_LIMIT_CONTROL", "isv.BUSINESS_LIMIT_CONTROL", True),
    ],
)
def test_aliyun_error_codes_are_retryable_or_terminal(sms, phone, fault, code, retryable):
    if fault:
        AliyunSmsSimulator(sms).fault_set(fault)

    with pytest.raises(ProviderError) as refused:
        connection_client(sms).send(OutgoingMessage(recipient=phone, template="SMS_1"), idempotency_key="k")

    assert (refused.value.code, refused.value.retryable) == (code, retryable)


def test_testing_the_connection_calls_an_authenticated_endpoint(sms):
    assert connection_test(connection_id=sms.pk).ok is True
