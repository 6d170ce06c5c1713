"""JSON log lines (python-json-logger), each with the id of the request being served.

`plaudit serve` configures logging with `configure_logging` (PLAUDIT_LOG_FORMAT: `json`, the
default, or `text`); uvicorn's own loggers go through the same handler.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal, TextIO

from pythonjsonlogger.json import JsonFormatter

from plaudit.observability.request_log import request_id

LogFormat = Literal["json", "text"]


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (null outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def configure_logging(
    level: str = "INFO", log_format: LogFormat = "json", stream: TextIO | None = None
) -> None:
    """Send every log line to `stream` (standard error by default) in `log_format`."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # plaudit.access logs every request with its id; uvicorn's access line would repeat it.
    logging.getLogger("uvicorn.access").disabled = True
