"""GET /api/v1/ready and GET /metrics.

Both are outside the admission limit, like health: a probe or a scrape must be answered
when the server is saturated, which is when it matters most. Readiness asks the database
(it answers, and its schema is at the newest migration); the metrics read the outbox's
depth and failed deliveries from the database at each scrape, so every process reports the
same, exact figures for them.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from plaudit.db.migrate import is_current
from plaudit.http.problems import PROBLEM_JSON
from plaudit.models import WebhookDelivery

ready_router = APIRouter(tags=["health"])
metrics_router = APIRouter(tags=["health"])

OUTBOX_OPEN = ("pending", "delivering")


def readiness(engine: Engine) -> str | None:
    """None when ready, else why not."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        if not is_current(engine):
            return "the database schema is not at the newest migration: run `plaudit migrate`"
    except SQLAlchemyError as exc:
        return f"the database does not answer: {type(exc).__name__}"
    return None


@ready_router.get("/ready", responses={503: {"description": "Not ready: the reason"}})
async def ready(request: Request) -> Response:
    """200 when the database answers and is migrated, else 503 with the reason."""
    problem = await asyncio.to_thread(readiness, request.app.state.engine)
    if problem is None:
        return JSONResponse({"status": "ready"})
    return JSONResponse(
        {
            "type": "about:blank",
            "title": "Not ready",
            "status": 503,
            "detail": problem,
            "code": "not_ready",
        },
        status_code=503,
        media_type=PROBLEM_JSON,
    )


class OutboxCollector(Collector):
    """The webhook outbox's depth and its failed deliveries, read from the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> list[GaugeMetricFamily]:
        depth = GaugeMetricFamily(
            "plaudit_outbox_depth", "Webhook deliveries waiting to be sent or being sent."
        )
        failed = GaugeMetricFamily(
            "plaudit_webhook_deliveries_failed", "Webhook deliveries that gave up."
        )
        status = WebhookDelivery.status
        query = select(status, func.count()).group_by(status)
        with self.engine.connect() as conn:
            counts: dict[str, int] = {s: n for s, n in conn.execute(query)}
        depth.add_metric([], sum(counts.get(s, 0) for s in OUTBOX_OPEN))
        failed.add_metric([], counts.get("failed", 0))
        return [depth, failed]


def scrape(engine: Engine) -> bytes:
    database = CollectorRegistry(auto_describe=False)
    database.register(OutboxCollector(engine))
    return generate_latest(REGISTRY) + generate_latest(database)


@metrics_router.get("/metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    """The Prometheus text format."""
    body = await asyncio.to_thread(scrape, request.app.state.engine)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
