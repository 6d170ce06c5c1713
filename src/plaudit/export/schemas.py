"""Export query shapes: the award list's filters, plus how the file is written."""

from __future__ import annotations

from pydantic import Field

from plaudit.award.schemas import AwardFilters


class AwardExportQuery(AwardFilters):
    bom: bool = Field(
        default=False,
        description="Start the file with a UTF-8 byte order mark, so that Excel reads it as "
        "UTF-8 instead of the system code page.",
    )
