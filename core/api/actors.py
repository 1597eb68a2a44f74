from rest_framework import serializers

from core.actors import ACTOR_KINDS, Actor


def request_actor(request) -> Actor:
    """The audit actor for an API call: the user, with the API as source."""
    return Actor.user(request.user, source="api")


class ActorSerializer(serializers.Serializer):
    """Who or what made a change, as answers show it (``Actor.as_dict``)."""

    kind = serializers.ChoiceField(choices=ACTOR_KINDS)
    id = serializers.CharField()
    # "label" and "source" are the answer's keys. DRF's metaclass takes declared fields out of the
    # class, so they do not replace Field.label and Field.source at run time, whatever the stubs say.
    label = serializers.CharField()  # type: ignore[assignment]
    source = serializers.CharField()  # type: ignore[assignment]
