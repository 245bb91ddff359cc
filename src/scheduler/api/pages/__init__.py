"""Web pages for patients, dispatchers and therapists, served by the API's own app.

Server-rendered Jinja2 templates (`api/templates`) over the same gateway, access rules
and domain commands as the JSON controllers; CSS and a little JavaScript from
`api/static` (no CDN, no build step). `create_app` adds `pages_router()`,
`static_router()` and `template_config()`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, Router, get
from litestar.di import Provide
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from scheduler.api.auth import PUBLIC
from scheduler.api.errors import ApiError
from scheduler.api.pages.account_links import AccountLinkPages
from scheduler.api.pages.admin import AdminPages
from scheduler.api.pages.board import BoardPages
from scheduler.api.pages.booking import BookingPages
from scheduler.api.pages.clinic_reminders import ClinicReminderPages
from scheduler.api.pages.clinical import ClinicalPages
from scheduler.api.pages.clinical_plan import PlanPages
from scheduler.api.pages.desk import DeskPages
from scheduler.api.pages.desk_accounts import DeskAccountPages
from scheduler.api.pages.desk_booking import DeskBookingPages
from scheduler.api.pages.desk_details import DeskDetailsPages
from scheduler.api.pages.desk_evaluation import DeskEvaluationPages
from scheduler.api.pages.dispatch import DispatchPages
from scheduler.api.pages.intake import IntakePages
from scheduler.api.pages.messages import MessagePages
from scheduler.api.pages.patient import PatientPages
from scheduler.api.pages.patient_sessions import PatientSessionPages
from scheduler.api.pages.sessions import SessionPages
from scheduler.api.pages.signin import SignInPages
from scheduler.api.pages.signup import SignUpPages
from scheduler.api.pages.staff import StaffPages
from scheduler.api.pages.therapist_time import AvailabilityPages
from scheduler.api.pages.web import (
    SignInFirst,
    go,
    page_context,
    page_headers,
    render,
    security_headers,
)
from scheduler.api.pages.week import WeekPages
from scheduler.domain.errors import NotFound
from scheduler.usecases.errors import Forbidden

HERE = Path(__file__).resolve().parent.parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def _local(moment: datetime, zone: str | ZoneInfo, pattern: str = "%a %-d %b %H:%M") -> str:
    """A template filter: an instant as the clinic's wall clock."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    return moment.astimezone(tz).strftime(pattern)


def _words(name: str) -> str:
    """A template filter: 'SessionBooked' -> 'session booked'."""
    return "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()


def _register_filters(engine: JinjaTemplateEngine) -> None:
    engine.engine.filters.update(local=_local, words=_words)


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja2 over `api/templates` (autoescaped) with the pages' filters."""
    return TemplateConfig(
        directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=_register_filters
    )


def _sign_in_first(request: Request[Any, Any, Any], _: SignInFirst) -> Response[Any]:
    target = request.url.path if request.method == "GET" else ""
    return page_headers(go("/app/login", next=target))


def _error_page(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    status = error.status if isinstance(error, ApiError) else 404
    status = 403 if isinstance(error, Forbidden) else status
    detail = error.detail if isinstance(error, ApiError | Forbidden) else str(error)
    return page_headers(render(request, "error.html", status=status, detail=detail, code=status))


@get("/", opt=PUBLIC, include_in_schema=False, name="pages:root")
async def root() -> Redirect:
    """The site's root: the pages' home."""
    return Redirect("/app/", status_code=303)


def pages_router() -> Router:
    """Every page, with the security headers and HTML error pages."""
    return Router(
        path="/",
        route_handlers=[
            root,
            SignInPages,
            SignUpPages,
            PatientPages,
            IntakePages,
            ClinicalPages,
            PlanPages,
            AvailabilityPages,
            PatientSessionPages,
            BookingPages,
            BoardPages,
            DispatchPages,
            WeekPages,
            SessionPages,
            AdminPages,
            StaffPages,
            DeskPages,
            DeskBookingPages,
            DeskAccountPages,
            DeskEvaluationPages,
            DeskDetailsPages,
            MessagePages,
            AccountLinkPages,
            ClinicReminderPages,
        ],
        dependencies={"page": Provide(page_context, sync_to_thread=False)},
        after_request=page_headers,
        exception_handlers={
            SignInFirst: _sign_in_first,
            ApiError: _error_page,
            NotFound: _error_page,
            Forbidden: _error_page,
        },
        include_in_schema=False,
    )


def static_router() -> Router:
    """CSS, scripts and icons from `api/static` (cached for an hour, never sniffed)."""
    return create_static_files_router(
        path="/static",
        directories=[STATIC],
        opt=PUBLIC,
        after_request=security_headers,
        include_in_schema=False,
    )
