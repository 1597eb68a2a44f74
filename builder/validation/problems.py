"""What validation reports: ``Problem``, the JSON pointers that place it, and the list it is gathered in."""

import dataclasses
from dataclasses import dataclass

TRIGGER_ID = "trigger"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document. ``pointer`` is an RFC 6901 JSON pointer into it ("" = root).

    ``detail`` is the technical account (English, may quote pointers and patterns: the advanced
    view and the logs); ``message`` is what the person editing reads, in the active language, with
    no pointer or pattern in it (``messages``). Two problems are equal when code, detail, node and
    pointer are: the message is the same fact in words.
    """

    code: str
    detail: str
    node_id: str | None
    pointer: str
    message: str = dataclasses.field(default="", compare=False)

    @property
    def field(self) -> str | None:
        """The key the problem is about: a node's param (``queue``), a node's own key (``rule``), the
        trigger's (``cron``, ``for_each.filter.channel``), an edge's (``branch``) or the document's (``name``)."""
        parts = pointer_parts(self.pointer)
        if len(parts) >= 4 and parts[0] == "nodes" and parts[2] == "params":
            return str(parts[3])
        if len(parts) >= 3 and parts[0] in ("nodes", "edges"):
            return str(parts[2])
        if len(parts) >= 2 and parts[0] == "trigger":
            return ".".join(str(p) for p in parts[1:] if not isinstance(p, int))
        if len(parts) == 1 and parts[0] not in ("nodes", "edges", "trigger"):
            return str(parts[0])
        return None

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "node": self.node_id,
            "node_id": self.node_id,
            "field": self.field,
            "pointer": self.pointer,
            "detail": self.detail,
        }


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

    found: list[Problem] = dataclasses.field(default_factory=list)

    def add(self, code: str, detail: str, node_id: str | None, *where, message: str) -> None:
        self.found.append(Problem(code=code, detail=detail, node_id=node_id, pointer=pointer(*where), message=message))

    def extend(self, problems: list[Problem]) -> None:
        self.found.extend(problems)
