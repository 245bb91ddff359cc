"""Liveness and readiness, for load balancers and orchestrators."""

from __future__ import annotations

from typing import Literal

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery

from scheduler.api.auth import PUBLIC
from scheduler.api.gateway import Gateway
from scheduler.api.redis_gate import RedisGate
from scheduler.api.schemas.auth import Health


class HealthController(Controller):
    """`/health` (the process answers) and `/ready` (its store and Redis answer)."""

    tags = ("health",)

    # store=False: never touches the store, so never its 503 (see api/openapi.py).
    @get(
        "/health",
        operation_id="health",
        summary="The service is alive",
        opt={**PUBLIC, "store": False},
    )
    async def health(self) -> Health:
        """Answers as long as the process serves requests; checks nothing else."""
        return Health(status="alive")

    @get(
        "/ready",
        operation_id="ready",
        opt=PUBLIC,
        summary="The service can serve: event store (and Redis, if configured) reachable",
        responses={503: ResponseSpec(Health, description="store or Redis unreachable")},
    )
    async def ready(
        self,
        gateway: NamedDependency[Gateway],
        redis: NamedDependency[RedisGate],
        require: FromQuery[Literal["all", "store"]] = "all",
    ) -> Response[Health]:
        """200 when the event store answers and, when configured, Redis does; 503 otherwise.

        `?require=store` judges by the store alone (Redis is still reported): bookings
        work without Redis, so an orchestrator's readiness probe should not take every
        replica out of service when Redis is down.
        """
        store_ok = await gateway.reachable()
        if redis.configured:
            redis_state = "ok" if await redis.ping() else "unreachable"
        else:
            redis_state = "not_configured"
        ready = store_ok and (require == "store" or redis_state != "unreachable")
        body = Health(
            status="ready" if ready else "not_ready",
            store="ok" if store_ok else "unreachable",
            redis=redis_state,  # type: ignore[arg-type]
        )
        return Response(body, status_code=200 if ready else 503)
