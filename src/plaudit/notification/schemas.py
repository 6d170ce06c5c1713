"""Notification request and response shapes: triggers, actions, firings, deliveries, dry runs."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from plaudit.domain.categories import Category
from plaudit.kit.schemas import InputSchema, Instant, Name, OutputSchema, StrictId, Timestamp
from plaudit.kit.url_policy import UrlRefused, split_url
from plaudit.limits import MAX_FORMULA_LENGTH
from plaudit.notification.formula import FormulaOperator
from plaudit.periods import Period
from plaudit.rules.model import Filters


class _Part(BaseModel):
    """Triggers and actions: unknown fields refused; text kept as sent, so that the positions
    of formula mistakes point at what the client wrote."""

    model_config = ConfigDict(extra="forbid")


class RecordEvent(StrEnum):
    created = "created"
    updated = "updated"


class RecordTrigger(_Part):
    """Fires for every new or changed record of `source` that passes `where`."""

    type: Literal["record"]
    source: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    events: list[RecordEvent] = Field(
        default_factory=lambda: [RecordEvent.created, RecordEvent.updated],
        min_length=1,
        max_length=2,
    )
    where: Filters = Field(default_factory=list)

    @field_validator("events")
    @classmethod
    def _distinct(cls, events: list[RecordEvent]) -> list[RecordEvent]:
        return sorted(set(events), key=list(RecordEvent).index)


class FormulaTrigger(_Part):
    """Fires when a member's formula result crosses the threshold: once per member per period."""

    type: Literal["formula"]
    formula: Annotated[str, StringConstraints(min_length=1, max_length=MAX_FORMULA_LENGTH)]
    period: Period = Period.month
    operator: FormulaOperator
    threshold: StrictFloat = Field(allow_inf_nan=False)


MAX_TRIGGER_IDS = 100


def _distinct_ids(ids: list[int]) -> list[int]:
    return sorted(set(ids))


class AwardTrigger(_Part):
    """Fires once per award given, whatever gave it (a rule, an activation's backfill, a manual
    or bulk give, a streak, a season, a notification), for the award's member. Empty filters:
    every award. An award given by a notification with an award trigger fires no award trigger
    (no chains)."""

    type: Literal["award"]
    achievement_ids: list[StrictId] = Field(default_factory=list, max_length=MAX_TRIGGER_IDS)
    categories: list[Category] = Field(default_factory=list, max_length=len(Category))

    @field_validator("achievement_ids")
    @classmethod
    def _distinct(cls, ids: list[int]) -> list[int]:
        return _distinct_ids(ids)

    @field_validator("categories")
    @classmethod
    def _distinct_categories(cls, categories: list[Category]) -> list[Category]:
        return sorted(set(categories), key=list(Category).index)


class LevelTrigger(_Part):
    """Fires once per level reached (one `level_reached` row), for the member who reached it.
    Empty `level_ids`: every level."""

    type: Literal["level"]
    level_ids: list[StrictId] = Field(default_factory=list, max_length=MAX_TRIGGER_IDS)

    @field_validator("level_ids")
    @classmethod
    def _distinct(cls, ids: list[int]) -> list[int]:
        return _distinct_ids(ids)


AnyTrigger = RecordTrigger | FormulaTrigger | AwardTrigger | LevelTrigger
EventTrigger = AwardTrigger | LevelTrigger
Trigger = Annotated[AnyTrigger, Field(discriminator="type")]


def _http_url(url: str) -> str:
    """Its form only; where it leads is checked when it is saved (`definition.check_action`)."""
    try:
        split_url(url)
    except UrlRefused as refused:
        raise ValueError(refused.reason) from refused
    return url


Url = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Secret = Annotated[str, StringConstraints(min_length=16, max_length=200)]


class GiveAchievementAction(_Part):
    type: Literal["give_achievement"]
    achievement_id: StrictId


class WebhookAction(_Part):
    """POST a signed JSON body to `url`. Without `secret` one is generated (and shown once)."""

    type: Literal["webhook"]
    url: Url
    secret: Secret | None = None

    @field_validator("url")
    @classmethod
    def _absolute_http(cls, url: str) -> str:
        return _http_url(url)


class _ChatAction(_Part):
    """Post a message to a chat channel's incoming webhook. Its URL is a secret (whoever has it
    can post): kept encrypted and never answered; sent again only to change it (an update
    without `url` keeps the stored one)."""

    url: Url | None = None
    host: str | None = Field(
        default=None, description="Answered: the URL's host name. Ignored when sent."
    )

    @field_validator("url")
    @classmethod
    def _absolute_http(cls, url: str | None) -> str | None:
        return None if url is None else _http_url(url)


class SlackAction(_ChatAction):
    """A Slack incoming webhook: `text` and Block Kit `blocks`."""

    type: Literal["slack"]


class TeamsAction(_ChatAction):
    """A Microsoft Teams incoming webhook or Workflows URL: a message with an Adaptive Card."""

    type: Literal["teams"]


class EmailRecipients(StrEnum):
    member = "member"
    managers = "managers"
    addresses = "addresses"


MAX_EMAIL_ADDRESSES = 20
_EMAIL = re.compile(r"^[^@\s<>,;:\"()\[\]]+@[^@\s<>,;:\"()\[\]]+\.[^@\s<>,;:\"()\[\]]+$")
EmailAddress = Annotated[
    str, StringConstraints(min_length=3, max_length=254, strip_whitespace=True)
]


class EmailAction(_Part):
    """Email through the SMTP server of the settings: to the member, to the managers of the
    member's team (members of that team whose role is `manager`), or to fixed `addresses`."""

    type: Literal["email"]
    to: EmailRecipients = EmailRecipients.member
    addresses: list[EmailAddress] = Field(
        default_factory=list, max_length=MAX_EMAIL_ADDRESSES, validate_default=True
    )

    @field_validator("addresses")
    @classmethod
    def _addresses(cls, addresses: list[str], info: ValidationInfo) -> list[str]:
        for address in addresses:
            if not _EMAIL.match(address):
                raise ValueError(f"{address!r} is not an email address")
        to = info.data.get("to")
        if to is EmailRecipients.addresses and not addresses:
            raise ValueError("list at least one address when `to` is 'addresses'")
        if to is not EmailRecipients.addresses and addresses:
            raise ValueError("addresses are only for `to` 'addresses'")
        return list(dict.fromkeys(addresses))


ChannelAction = SlackAction | TeamsAction | EmailAction
AnyAction = GiveAchievementAction | WebhookAction | SlackAction | TeamsAction | EmailAction
Action = Annotated[AnyAction, Field(discriminator="type")]
CHANNELS = ("slack", "teams", "email")


class NotificationCreate(InputSchema):
    name: Name
    trigger: Trigger
    action: Action
    active: StrictBool = True


class NotificationUpdate(InputSchema):
    """Every field optional; what is sent replaces what was there. A webhook action sent
    without `secret` keeps the current secret (or gets a new one if it had none)."""

    name: Name | None = None
    trigger: Trigger | None = None
    action: Action | None = None
    active: StrictBool | None = None


class NotificationRead(OutputSchema):
    id: int
    name: str
    trigger: dict[str, Any]
    action: dict[str, Any]
    active: bool
    created_at: Timestamp
    updated_at: Timestamp
    webhook_secret: str | None = Field(
        default=None,
        description="The webhook's signing secret: only in the answer that set it.",
    )


class FiringOutcome(StrEnum):
    awarded = "awarded"
    refused = "refused"
    enqueued = "enqueued"


class FiringRead(OutputSchema):
    id: int
    notification_id: int
    member_id: int
    period: str | None
    fired_at: Timestamp
    value: float | None
    source: str | None
    outcome: FiringOutcome
    code: str | None
    detail: str | None
    award_id: int | None = Field(description="The award its give_achievement action gave.")
    delivery_id: int | None
    event_award_id: int | None = Field(
        default=None, description="Award triggers: the award given that fired it."
    )
    event_level_reached_id: int | None = Field(
        default=None, description="Level triggers: the level reached (its event's id)."
    )


class DeliveryStatus(StrEnum):
    pending = "pending"
    delivering = "delivering"
    delivered = "delivered"
    failed = "failed"


class AttemptRead(OutputSchema):
    number: int
    started_at: Timestamp
    duration_ms: float
    status_code: int | None
    error: str | None
    succeeded: bool


class DeliveryRead(OutputSchema):
    id: int
    notification_id: int
    channel: str = Field(default="webhook", description="`webhook`, `slack`, `teams` or `email`.")
    summary_of: int | None = Field(
        default=None,
        description="A summary message: how many firings it stands for (they name it as their "
        "delivery).",
    )
    firing_id: int | None
    member_id: int | None
    url: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: Timestamp | None
    created_at: Timestamp
    delivered_at: Timestamp | None
    last_status_code: int | None
    last_error: str | None
    payload: dict[str, Any]
    attempt_log: list[AttemptRead]


class NextRecord(InputSchema):
    """A record that might arrive next: the dry run says exactly what it would fire."""

    source: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    member_id: StrictId
    occurred_at: Instant | None = Field(
        default=None, description="When it happened; default `at`, else now."
    )
    external_id: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None,
        description="An external_id already stored makes it an update of that record.",
    )
    data: dict[str, Any] = Field(default_factory=dict)


class DryRunRequest(InputSchema):
    member_id: StrictId | None = Field(default=None, description="Only this member; default all.")
    at: Instant | None = Field(
        default=None, description="A time inside the period to test for; default now."
    )
    record: NextRecord | None = Field(
        default=None,
        description="Predict what this record would fire if it arrived now (it is not written).",
    )


class UnsavedDryRunRequest(DryRunRequest):
    """A notification that is not saved yet, tested as it would run."""

    name: Name = "Unsaved notification"
    trigger: Trigger
    action: Action


class DryRunOutcome(StrEnum):
    would_fire = "would_fire"
    already_fired = "already_fired"
    not_met = "not_met"
    no_value = "no_value"
    no_matching_record = "no_matching_record"
    already_met = "already_met"
    not_matching = "not_matching"
    no_change = "no_change"


class DryRunAction(OutputSchema):
    type: Literal["give_achievement", "webhook", "slack", "teams", "email"]
    outcome: Literal["would_award", "would_refuse", "would_send"]
    achievement_id: int | None = None
    period: str | None = None
    points: int | None = None
    code: str | None = None
    detail: str | None = None
    url: str | None = None
    headers: dict[str, str] | None = None
    payload: dict[str, Any] | None = None


class DryRunRecord(OutputSchema):
    id: int
    source: str
    member_id: int | None = None
    external_id: str | None
    occurred_at: Timestamp
    data: dict[str, Any]


class DryRunResult(OutputSchema):
    member_id: int
    outcome: DryRunOutcome
    value: float | None = None
    value_before: float | None = None
    explanation: str = ""
    record: DryRunRecord | None = None
    action: DryRunAction | None = None


class DryRunPeriod(OutputSchema):
    period: Period
    key: str
    start: Timestamp | None
    end: Timestamp | None


class DryRunRecentRecord(OutputSchema):
    """A recent record of a record trigger's source, and whether it would have fired it."""

    record: DryRunRecord
    would_have_fired: bool
    explanation: str


class DryRunRead(OutputSchema):
    notification_id: int | None
    active: bool
    trigger: Literal["record", "formula", "award", "level"]
    period: DryRunPeriod | None
    members_checked: int
    would_fire: int
    counts: dict[str, int] = Field(default_factory=dict)
    summary: str = ""
    results: list[DryRunResult]
    recent: list[DryRunRecentRecord] | None = None
