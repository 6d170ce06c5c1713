"""Calendar request and response shapes. Weekdays are named in English, lower case."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field, field_validator

from plaudit.kit.schemas import InputSchema, Name, OutputSchema


class Weekday(StrEnum):
    monday = "monday"
    tuesday = "tuesday"
    wednesday = "wednesday"
    thursday = "thursday"
    friday = "friday"
    saturday = "saturday"
    sunday = "sunday"

    @property
    def iso(self) -> int:
        return list(Weekday).index(self) + 1


def weekday_of(iso: int) -> Weekday:
    return list(Weekday)[iso - 1]


def _iso_date_text(value: object) -> object:
    """Only `YYYY-MM-DD` text: pydantic would also take a number as a Unix time."""
    if not isinstance(value, str | date):
        raise ValueError("expected a date as text, YYYY-MM-DD")
    return value


DateText = Annotated[date, BeforeValidator(_iso_date_text)]


class WorkingWeekUpdate(InputSchema):
    weekdays: list[Weekday] = Field(
        min_length=1,
        max_length=7,
        json_schema_extra={"uniqueItems": True},
        description='The working weekdays, e.g. ["monday", ..., "friday"]; daily streaks '
        "count these days only (minus holidays).",
    )

    @field_validator("weekdays")
    @classmethod
    def _no_repeats(cls, weekdays: list[Weekday]) -> list[Weekday]:
        if len(set(weekdays)) != len(weekdays):
            raise ValueError("each weekday may be listed once")
        return weekdays


class HolidayCreate(InputSchema):
    date: DateText = Field(description="The holiday's local date, YYYY-MM-DD.")
    name: Name


class HolidayRead(OutputSchema):
    date: date
    name: str


class CalendarRead(OutputSchema):
    weekdays: list[Weekday]
    holidays: list[HolidayRead]
