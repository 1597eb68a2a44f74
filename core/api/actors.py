from core.actors import Actor


def request_actor(request) -> Actor:
    """The audit actor for an API call: the user, with the API as source."""
    return Actor.user(request.user, source="api")
