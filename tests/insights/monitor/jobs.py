"""Task functions for the monitor's tests, run through django-q2 as a schedule would run them."""


def processed(n: int) -> int:
    return n


def per_connection() -> dict:
    return {"7": 2, "9": 3}


def silent() -> None:
    return None


def broken() -> None:
    raise RuntimeError("courier API unreachable: connection refused")
