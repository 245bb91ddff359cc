"""`create_app(settings)`: the one place the HTTP API is wired together.

Tests build the app here with their own settings (a temporary data directory, a test
database, a Redis key prefix) and clock; nothing is patched elsewhere.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from scheduler.api.auth import authentication
from scheduler.api.body_guard import body_guard
from scheduler.api.context import RequestContext, configure_logging
from scheduler.api.controllers.accounts import AccountsController
from scheduler.api.controllers.auth import AuthController
from scheduler.api.controllers.calendar import CalendarController
from scheduler.api.controllers.clinics import ClinicsController
from scheduler.api.controllers.dispatch import DispatchController
from scheduler.api.controllers.fhir import FhirController, fhir_aware
from scheduler.api.controllers.health import HealthController
from scheduler.api.controllers.me import MeController
from scheduler.api.controllers.notifications import NotificationsController
from scheduler.api.controllers.options import OptionsController
from scheduler.api.controllers.patients import PatientsController, PrescriptionsController
from scheduler.api.controllers.plans import PlansController
from scheduler.api.controllers.sessions import SessionsController
from scheduler.api.controllers.setup import ClinicSetupController
from scheduler.api.controllers.sick_calls import SickCallsController
from scheduler.api.controllers.signup import SignUpController
from scheduler.api.controllers.therapists import TherapistsController
from scheduler.api.controllers.waitlist import WaitlistController
from scheduler.api.errors import EXCEPTION_HANDLERS
from scheduler.api.gateway import Clock, Gateway, SignInThreads, utc_now
from scheduler.api.idempotency import IdempotencyStore, idempotency
from scheduler.api.live import (
    BoardFollower,
    LiveBoardController,
    live_channels,
    projector_publishes,
)
from scheduler.api.openapi import AllowHeader, truthful
from scheduler.api.pages import pages_router, static_router, template_config
from scheduler.api.positions import written_position
from scheduler.api.ratelimit import RateLimiter
from scheduler.api.readmodel import ReadSide
from scheduler.api.redis_gate import RedisGate
from scheduler.api.revocation import DenyList, revocation
from scheduler.geocoding import geocoder_from
from scheduler.notify.notifier import Notifier, notifier_for, outbox_for
from scheduler.settings import Settings, SettingsError
from scheduler.usecases import UseCases
from scheduler.waitlist_follower import OfferFollower
from scheduler.worker import optimizations_for

CONTROLLERS = [
    HealthController,
    AuthController,
    AccountsController,
    MeController,
    PlansController,
    SessionsController,
    ClinicsController,
    LiveBoardController,
    WaitlistController,
    CalendarController,
    FhirController,
    OptionsController,
    DispatchController,
    SickCallsController,
    ClinicSetupController,
    SignUpController,
    TherapistsController,
    PatientsController,
    PrescriptionsController,
    NotificationsController,
]


def create_app(settings: Settings, *, clock: Clock = utc_now) -> Litestar:
    """The API over the store and Redis that `settings` name; `clock` stamps commands."""
    if len(settings.jwt_secret) < 32:
        # Settings read with signs_tokens=False (migrate, project) must never serve.
        raise SettingsError("the API needs SCHEDULER_JWT_SECRET of at least 32 characters")
    configure_logging()
    gateway = Gateway(settings, clock=clock)
    redis = RedisGate(settings.redis_url, prefix=settings.redis_prefix)
    limiter = RateLimiter(redis, clock, settings)
    replies = IdempotencyStore(redis, ttl_s=settings.idempotency_ttl_s)
    # Tokens revoked by signing out: Redis when configured, else beside the accounts.
    # A gate of its own: a slow check (one per request) must not shut the idempotency
    # keys' gate, and the other way round.
    revoked = RedisGate(settings.redis_url, prefix=settings.redis_prefix)
    deny_list = DenyList(revoked, gateway)
    # Read side: projections on PostgreSQL, live board changes over channels.
    reads = ReadSide(settings, gateway, redis)
    # Optimization jobs: SAQ on Redis, or in this process on the embedded default.
    optimizations = optimizations_for(settings, gateway)
    channels = live_channels(settings)
    # One action per use case, for the controllers and the pages alike.
    uc = UseCases(
        gateway,
        lambda: gateway.scheduling,
        clock=clock,
        limits=limiter,
        jobs=optimizations,
        reads=reads,
        accounts=lambda: gateway.accounts,
        accounts_store=SignInThreads(gateway),
        geocoder=geocoder_from(settings.geocoder_url),
        outbox=outbox_for(settings),
    )
    # The waitlist's offer policy, following cancellations and moves in the background.
    offers = OfferFollower(gateway.run, lambda: gateway.scheduling, clock)
    # Notifications: on the embedded default this process delivers them (on PostgreSQL
    # `scheduler worker` or `scheduler notify` does).
    notifier: Notifier | None = (
        notifier_for(
            settings,
            run_store=gateway.run,
            scheduling=lambda: gateway.scheduling,
            accounts=lambda: gateway.accounts,
            clock=clock,
        )
        if settings.embedded
        else None
    )
    follower = (
        None
        if projector_publishes(settings)
        else BoardFollower(gateway, channels, settings.redis_prefix)
    )

    async def close_redis() -> None:
        await redis.close()
        await revoked.close()

    app = Litestar(
        # The web pages and their static files ride on the same app (no CDN).
        route_handlers=[*CONTROLLERS, pages_router(), static_router()],
        template_config=template_config(),
        dependencies={
            "gateway": Provide(lambda: gateway, sync_to_thread=False),
            "redis": Provide(lambda: redis, sync_to_thread=False),
            "limiter": Provide(lambda: limiter, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False),
            "reads": Provide(lambda: reads, sync_to_thread=False),
            "optimizations": Provide(lambda: optimizations, sync_to_thread=False),
            "uc": Provide(lambda: uc, sync_to_thread=False),
            "deny_list": Provide(lambda: deny_list, sync_to_thread=False),
        },
        # Authentication first: idempotency keys are scoped per signed-in account.
        middleware=[
            body_guard,  # before anything reads a body: size, media type, nesting, types
            # Before authentication: a signed-out token is taken out of the request.
            revocation(deny_list, settings.jwt_secret, clock),
            authentication(settings.jwt_secret, clock),
            idempotency(replies, pause_after_commit_s=settings.test_pause_after_commit_s),
            written_position,
        ],
        plugins=[channels],
        # Routing errors under /fhir/ (no such resource, another method) are FHIR's too.
        exception_handlers={
            **EXCEPTION_HANDLERS,
            HTTPException: fhir_aware(EXCEPTION_HANDLERS[HTTPException]),
        },
        on_startup=[
            gateway.start,
            offers.start,
            reads.start,
            optimizations.start,
            *([follower.start] if follower else []),
            *([notifier.start] if notifier else []),
        ],
        on_shutdown=[
            *([notifier.stop] if notifier else []),
            offers.stop,
            *([follower.stop] if follower else []),
            reads.stop,
            optimizations.stop,
            gateway.stop,
            close_redis,
        ],
        openapi_config=truthful(
            OpenAPIConfig(
                title="scheduler",
                version="0.1.0",
                description="Calendar, treatment plans and routes of medical-massage clinics.",
                path="/schema",
                use_handler_docstrings=True,
                components=Components(
                    security_schemes={
                        "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
                    }
                ),
                security=[{"bearer": []}],
            )
        ),
        # Litestar's own request logging would print paths and bodies; ours logs neither.
        logging_config=None,
    )
    # Outermost, around routing itself, so unknown paths get a request id and a log line.
    app.asgi_handler = RequestContext(AllowHeader(app.asgi_handler, app))
    app.state.notifier = notifier
    app.state.reads = reads  # the read side and the options' caches (tests look at them)
    return app
