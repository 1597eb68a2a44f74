"""Who or what made a change: a user, a connector's connection, a flow execution, or the system."""

from dataclasses import dataclass

USER = "user"
CONNECTION = "connection"
FLOW_EXECUTION = "flow_execution"
SYSTEM = "system"
ACTOR_KINDS = (USER, CONNECTION, FLOW_EXECUTION, SYSTEM)


@dataclass(frozen=True, slots=True)
class Actor:
    kind: str
    id: str
    label: str
    source: str  # where the change came from: "api", "admin", "webhook:tmall", "flow:12", "schedule", ...

    def __post_init__(self) -> None:
        if self.kind not in ACTOR_KINDS:
            raise ValueError(f"unknown actor kind {self.kind!r}")

    @classmethod
    def user(cls, user, *, source: str = "api") -> "Actor":
        return cls(kind=USER, id=str(user.pk), label=user.get_username(), source=source)

    @classmethod
    def system(cls, label: str, *, source: str = "system") -> "Actor":
        return cls(kind=SYSTEM, id="", label=label, source=source)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "id": self.id, "label": self.label, "source": self.source}
