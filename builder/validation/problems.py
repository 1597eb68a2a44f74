"""What validation reports: ``Problem``, the JSON pointers that place it, and the list it is gathered in."""

from dataclasses import dataclass, field

TRIGGER_ID = "trigger"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document. ``pointer`` is an RFC 6901 JSON pointer into it ("" = root)."""

    code: str
    message: str
    node_id: str | None
    pointer: str

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "node_id": self.node_id, "pointer": self.pointer}


def pointer(*parts) -> str:
    """The JSON pointer of ``parts`` (keys and list indexes), escaped as RFC 6901 says."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def pointer_parts(ptr: str) -> list:
    """The inverse of ``pointer``: keys as strings, list indexes as integers."""
    parts: list = []
    for raw in ptr.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        parts.append(int(part) if part.isdigit() else part)
    return parts


@dataclass
class Problems:
    """The problems found so far, in the order the checks find them."""

    found: list[Problem] = field(default_factory=list)

    def add(self, code: str, message: str, node_id: str | None, *where) -> None:
        self.found.append(Problem(code=code, message=message, node_id=node_id, pointer=pointer(*where)))

    def extend(self, problems: list[Problem]) -> None:
        self.found.extend(problems)
