"""GET /exports/awards.csv: the award list as a streamed CSV download."""

from __future__ import annotations

from datetime import UTC
from itertools import chain
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine

from plaudit.export.schemas import AwardExportQuery
from plaudit.export.service import stream_awards_csv
from plaudit.http.deps import NowDep, allow
from plaudit.kit.roles import STAFF

router = APIRouter(tags=["exports"])

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


@router.get(
    "/exports/awards.csv",
    dependencies=[allow(*STAFF)],
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "Awards as CSV."}},
)
def export_awards(
    request: Request, now: NowDep, q: Annotated[AwardExportQuery, Query()]
) -> StreamingResponse:
    """Every award matching the filters of GET /awards, with its achievement, member and team,
    as CSV with a header row. Streamed: the size of the export does not matter."""
    engine: Engine = request.app.state.engine
    filename = f"awards-{now.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}.csv"
    chunks = stream_awards_csv(engine, q, now=now, bom=q.bom)
    header = next(chunks)  # runs the query now: a failure is still a problem+json answer
    return StreamingResponse(
        chain([header], chunks),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
