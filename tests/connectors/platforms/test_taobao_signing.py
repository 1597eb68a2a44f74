"""TOP's signature against the synthetic vectors of PROTOCOLS.md (computed from the official SDK's rule)."""

from connectors.platforms.marketplace import sorted_concat
from connectors.platforms.taobao.signing import top_sign

from ..conftest import vector

VECTORS = vector("marketplaces", "top_pdd_sign_synthetic.json")
MD5 = VECTORS["top_md5"]
HMAC = VECTORS["top_hmac_md5"]
SHA256 = VECTORS["top_hmac_sha256"]


def test_the_concatenation_is_the_vectors():
    assert sorted_concat(MD5["params"]) == MD5["concat"]


def test_md5_matches_the_vector():
    assert top_sign(MD5["params"], MD5["secret"]) == "06150EC939A88FD72E57C71076B8314B"
    assert top_sign(MD5["params"], MD5["secret"]) == MD5["sign"]


def test_hmac_md5_matches_the_vector():
    params = {**MD5["params"], "sign_method": "hmac"}

    assert sorted_concat(params) == HMAC["concat"]
    assert top_sign(params, MD5["secret"]) == HMAC["sign"]


def test_hmac_sha256_matches_the_vector():
    assert sorted_concat(SHA256["params"]) == SHA256["concat"]
    assert top_sign(SHA256["params"], MD5["secret"]) == SHA256["sign"]


def test_a_one_byte_change_in_a_value_or_the_secret_changes_every_methods_sign():
    for method in ("md5", "hmac", "hmac-sha256"):
        params = {**MD5["params"], "sign_method": method}
        signed = top_sign(params, MD5["secret"])

        assert top_sign({**params, "page_no": "2"}, MD5["secret"]) != signed
        assert top_sign(params, "helloworle") != signed


def test_sign_and_empty_values_are_left_out_and_keys_are_in_ascii_order():
    params = {"foo": "1", "bar": "2", "foo_bar": "3", "foobar": "4", "empty": "", "sign": "ABC"}

    assert sorted_concat(params) == "bar2foo1foo_bar3foobar4"  # the documentation's own example
    assert top_sign(params, "s") == top_sign({"foo": "1", "bar": "2", "foo_bar": "3", "foobar": "4"}, "s")
