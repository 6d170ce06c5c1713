"""create_app(settings): the FastAPI application. The engine is built in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache

from fastapi import APIRouter, Depends, FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from plaudit import __version__
from plaudit.achievement.router import router as achievement_router
from plaudit.audit.router import router as audit_router
from plaudit.award.router import router as award_router
from plaudit.bulk.router import router as bulk_router
from plaudit.calendar.router import router as calendar_router
from plaudit.clock import Clock, system_clock
from plaudit.config import Settings
from plaudit.db.checkpoint import start_checkpointer
from plaudit.db.engine import PoolSize, build_engine
from plaudit.db.session import build_sessionmaker
from plaudit.embed.router import router as embed_router
from plaudit.embed.service import signer as embed_signer
from plaudit.engine.closer import PeriodCloser
from plaudit.export.router import router as export_router
from plaudit.group.router import router as group_router
from plaudit.http.admission import AdmissionMiddleware
from plaudit.http.body_limit import BodyLimitMiddleware
from plaudit.http.capacity import Capacity, set_worker_threads
from plaudit.http.openapi import install_problem_document
from plaudit.http.problems import install_problem_handlers
from plaudit.http.query_params import refuse_unknown_query
from plaudit.http.unexpected import ErrorHandler, UnexpectedErrorMiddleware
from plaudit.identity.router import router as identity_router
from plaudit.intake.router import router as intake_router
from plaudit.kit.signing import process_secret
from plaudit.leaderboard.router import router as leaderboard_router
from plaudit.leaderboard.season.closing import close_seasons
from plaudit.level.router import router as level_router
from plaudit.member.router import router as member_router
from plaudit.monitoring.router import router as monitoring_router
from plaudit.notification.events import install as install_event_triggers
from plaudit.notification.router import router as notification_router
from plaudit.notification.worker import start_worker
from plaudit.observability.request_log import RequestLogMiddleware
from plaudit.observability.router import metrics_router, ready_router
from plaudit.openbadges.router import public_router as openbadges_public_router
from plaudit.openbadges.router import router as openbadges_router
from plaudit.openbadges.v3_router import public_router as ob3_public_router
from plaudit.openbadges.v3_router import router as ob3_router
from plaudit.portal.router import router as portal_router
from plaudit.record.router import router as record_router
from plaudit.report.router import router as report_router
from plaudit.source.router import router as source_router
from plaudit.streak.router import router as streak_router
from plaudit.team.router import router as team_router
from plaudit.web.install import install_web
from plaudit.web.pages import STATIC_PREFIX

API_PREFIX = "/api/v1"
BADGE_BODY_LIMIT = 30 * 1024 * 1024 + 64 * 1024
# The create page sends a badge and a background image in one form.
NEW_ACHIEVEMENT_BODY_LIMIT = 2 * BADGE_BODY_LIMIT

health_router = APIRouter(tags=["health"])


@health_router.get("/health")
async def health() -> dict[str, str]:
    """No-op endpoint: liveness, and the baseline for latency benchmarks. It bypasses the
    admission limit and needs no worker thread, so it answers whatever else is going on."""
    return {"status": "ok", "version": __version__}


@cache
def api_router() -> APIRouter:
    """/api/v1 and every router under it, built once per process: assembling it analyses every
    route's dependencies (about half a CPU second), and what it holds is the same for every
    application (their state is in `app.state`), so each `create_app` includes the same one."""
    router = APIRouter(prefix=API_PREFIX)
    router.include_router(health_router)
    router.include_router(ready_router)
    for sub in (
        identity_router,
        team_router,
        member_router,
        group_router,
        source_router,
        record_router,
        achievement_router,
        award_router,
        bulk_router,
        portal_router,
        leaderboard_router,
        level_router,
        audit_router,
        monitoring_router,
        report_router,
        export_router,
        notification_router,
        embed_router,
        intake_router,
        openbadges_router,
        calendar_router,
        streak_router,
        ob3_router,
    ):
        router.include_router(sub, dependencies=[Depends(refuse_unknown_query)])
    return router


UNGATED_PATHS = frozenset({f"{API_PREFIX}/health", f"{API_PREFIX}/ready", "/metrics"})


def bypasses_admission(path: str) -> bool:
    """Probes, the metrics scrape and static files never wait for admission: they must answer
    when the server is saturated (readiness and metrics run one short query each)."""
    return path in UNGATED_PATHS or path.startswith(f"{STATIC_PREFIX}/")


def create_app(settings: Settings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    settings = settings or Settings()
    capacity = Capacity(settings.max_concurrent_requests)
    install_event_triggers()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        set_worker_threads(capacity)
        engine = build_engine(
            settings.sqlalchemy_url,
            background_checkpoints=True,
            pool=PoolSize(capacity.pool_size, capacity.pool_overflow),
        )
        app.state.engine = engine
        app.state.sessionmaker = build_sessionmaker(engine)
        checkpointer = start_checkpointer(engine)
        worker = start_worker(engine, app.state.sessionmaker, settings)
        closer = None
        if settings.period_closer:
            closer = PeriodCloser(
                app.state.sessionmaker,
                app.state.clock,
                settings.zone,
                settings.period_close_seconds,
                also=(close_seasons,),
            )
            closer.start()
        try:
            yield
        finally:
            if closer is not None:
                closer.stop()
            if worker is not None:
                worker.stop()
            if checkpointer is not None:
                checkpointer.stop()
            engine.dispose()

    app = FastAPI(
        title="Plaudit",
        version=__version__,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        description="Achievements engine: rules over activity data, exactly-once "
        "awards, portals and leaderboards.",
    )
    app.state.settings = settings
    app.state.clock = clock
    # One key for the life of the application: session cookies and embed links.
    app.state.secret = process_secret(settings.secret_key.get_secret_value())
    app.state.embed_signer = embed_signer(app.state.secret)
    install_problem_handlers(app)
    app.include_router(api_router())
    app.include_router(metrics_router)
    app.include_router(openbadges_public_router)
    app.include_router(ob3_public_router)
    install_problem_document(app)

    def unexpected_error_handler() -> ErrorHandler:
        handler: ErrorHandler = app.exception_handlers[Exception]
        return handler

    # The innermost middleware: the pages' session and headers wrap its answers too.
    app.add_middleware(UnexpectedErrorMiddleware, handler=unexpected_error_handler)
    # After the API's handlers: the pages wrap them to answer errors as HTML off /api.
    install_web(app, settings)
    app.add_middleware(
        AdmissionMiddleware,
        capacity=capacity.requests,
        max_queued=settings.max_queued_requests,
        timeout=settings.admission_timeout,
        bypass=bypasses_admission,
    )
    # Outside admission: an oversized body is refused before it waits for a place.
    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=settings.max_body_bytes,
        overrides=[
            (r"/(badge|background)$", BADGE_BODY_LIMIT),
            (r"^/admin/achievements/new$", NEW_ACHIEVEMENT_BODY_LIMIT),
        ],
    )
    # Around every layer that answers: a 413 or a 503 carries its request id too.
    app.add_middleware(RequestLogMiddleware)
    if settings.trusted_proxy_list:
        # Outermost: every part of the app sees the client a trusted proxy names.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    return app
