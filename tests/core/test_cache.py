"""``core.cache.BoundedCache``: the most recently used entries are kept, the rest forgotten."""

import pytest

from core.cache import BoundedCache


def test_the_least_recently_used_entry_goes_first():
    cache: BoundedCache[str] = BoundedCache(maxsize=2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # "a" is now the most recent

    cache.put("c", "C")

    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == ("A", None, "C", 2)


def test_a_cache_must_hold_at_least_one_entry():
    with pytest.raises(ValueError):
        BoundedCache(maxsize=0)
