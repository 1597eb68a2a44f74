"""Pinduoduo's signature against the synthetic vector of PROTOCOLS.md (computed from the documented rule)."""

from connectors.platforms.marketplace import sorted_concat
from connectors.platforms.pinduoduo.signing import pdd_sign

from ..conftest import vector

VECTOR = vector("marketplaces", "top_pdd_sign_synthetic.json")["pdd_md5"]


def test_the_concatenation_and_the_sign_are_the_vectors():
    assert sorted_concat(VECTOR["params"]) == VECTOR["concat"]
    assert pdd_sign(VECTOR["params"], VECTOR["client_secret"]) == "ABEF41ABC58A2A211451DF6CBE007CE9"
    assert pdd_sign(VECTOR["params"], VECTOR["client_secret"]) == VECTOR["sign"]


def test_a_one_byte_change_in_a_value_or_the_secret_changes_the_sign():
    signed = pdd_sign(VECTOR["params"], VECTOR["client_secret"])

    assert pdd_sign({**VECTOR["params"], "page": "2"}, VECTOR["client_secret"]) != signed
    assert pdd_sign(VECTOR["params"], "test_client_secreT") != signed


def test_the_sign_itself_and_empty_values_are_not_signed():
    with_extras = {**VECTOR["params"], "sign": "ABEF41ABC58A2A211451DF6CBE007CE9", "trade_type": ""}

    assert pdd_sign(with_extras, VECTOR["client_secret"]) == VECTOR["sign"]
