"""JD's signature on a worked example.

The example is derived here from the documented rule (PROTOCOLS.md 5.3: ``UPPER(MD5(app_secret +
sorted k+v, 360buy_param_json included + app_secret))``); it is not a platform-issued vector.
"""

import hashlib

from connectors.platforms.jd.signing import jd_sign, param_json
from connectors.platforms.marketplace import sorted_concat

BUSINESS = {"start_date": "2024-05-01 09:00:00", "end_date": "2024-05-01 10:00:00", "page": "1", "page_size": "100"}
PARAMS = {
    "method": "jingdong.pop.order.search",
    "app_key": "jd-app-key",
    "access_token": "jd-access-token",
    "timestamp": "2024-05-01 10:00:00",
    "v": "2.0",
    "360buy_param_json": param_json(BUSINESS),
}
CONCAT = (
    '360buy_param_json{"start_date":"2024-05-01 09:00:00","end_date":"2024-05-01 10:00:00","page":"1",'
    '"page_size":"100"}access_tokenjd-access-tokenapp_keyjd-app-keymethodjingdong.pop.order.search'
    "timestamp2024-05-01 10:00:00v2.0"
)
SIGN = "BFB9B7CFBDB31EB473DC8EBDD7A0CE88"


def test_the_worked_example_follows_the_documented_rule():
    assert sorted_concat(PARAMS) == CONCAT  # 360buy_param_json sorts first: "3" < "a"
    assert hashlib.md5(("jd-app-secret" + CONCAT + "jd-app-secret").encode()).hexdigest().upper() == SIGN
    assert jd_sign(PARAMS, "jd-app-secret") == SIGN


def test_a_one_byte_change_in_the_business_json_or_the_secret_changes_the_sign():
    changed = {**PARAMS, "360buy_param_json": param_json({**BUSINESS, "page": "2"})}

    assert jd_sign(changed, "jd-app-secret") != SIGN
    assert jd_sign(PARAMS, "jd-app-secreT") != SIGN


def test_the_business_json_is_compact_and_keeps_chinese_as_is():
    assert param_json({"remark": "加急/顺丰", "page": "1"}) == '{"remark":"加急/顺丰","page":"1"}'
