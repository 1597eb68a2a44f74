import pytest

from core.privacy import mask_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13800138000", "138****8000"),
        ("+8613800138000", "+86****8000"),
        ("138 0013 8000", "138****8000"),
        ("021-62345678", "021****5678"),
        ("12345678", "****78"),
        ("12345", "****45"),
        ("1234", "****"),
        ("", ""),
        ("  13800138000 ", "138****8000"),
    ],
)
def test_a_phone_keeps_its_first_three_and_last_four_characters_at_most(phone, masked):
    assert mask_phone(phone) == masked
