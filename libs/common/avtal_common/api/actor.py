"""Who asked: the gateway names its signed-in user in a header; audit trails record it."""

from litestar.params import Parameter

from avtal_common.logging import ACTOR_HEADER

# A handler parameter `actor: str = ActorHeader`; a caller that names nobody (the CLI, a script) is "api".
ActorHeader = Parameter(header=ACTOR_HEADER, default="api", max_length=200)
