"""The demo's achievements, of all three categories, with rules, icons, colours and badges."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from plaudit.periods import PeriodWindow


def badge_svg(background: str, foreground: str) -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" '
        'viewBox="0 0 120 120">'
        f'<circle cx="60" cy="60" r="56" fill="{background}"/>'
        '<polygon points="60,18 72,46 102,48 78,68 86,98 60,82 34,98 42,68 18,48 48,46" '
        f'fill="{foreground}"/></svg>'
    ).encode()


def achievement_bodies(
    gold_group: int, admins_group: int, last_month: PeriodWindow, zone: ZoneInfo
) -> list[dict[str, Any]]:
    assert last_month.start is not None
    opens = last_month.start.astimezone(zone).date()
    closes = _add_months(opens, 3) - timedelta(days=1)  # the end of next month
    return [
        {
            "key": "profile-complete",
            "name": "Company profile updated",
            "description": "Update your company profile at least once.",
            "category": "award",
            "points": 50,
            "icon": "id-card",
            "background_color": "#2e7d32",
            "text_color": "#ffffff",
            "audience": [admins_group],
            "requirements": [
                [
                    {
                        "source": "company_profile_updated",
                        "aggregate": "count",
                        "operator": "at_least",
                        "value": 1,
                    }
                ]
            ],
        },
        {
            "key": "campaign-champion",
            "name": "Campaign champion",
            "description": "Activate 5 different marketing campaigns.",
            "category": "award",
            "points": 100,
            "icon": "megaphone",
            "background_color": "#6a1b9a",
            "text_color": "#ffffff",
            "show_next_to_name": True,
            "requirements": [
                [
                    {
                        "source": "campaign_activations",
                        "aggregate": "count_distinct",
                        "field": "campaign_id",
                        "operator": "at_least",
                        "value": 5,
                    }
                ]
            ],
        },
        {
            "key": "big-dealer",
            "name": "Big dealer",
            "description": "Close approved deals worth 50,000 EUR.",
            "category": "award",
            "points": 250,
            "icon": "trophy",
            "background_color": "#f9a825",
            "text_color": "#1a1a1a",
            "audience": [gold_group],
            "requirements": [[_deals_total("EUR", 50000)]],
        },
        {
            "key": "partner-all-rounder",
            "name": "Partner all-rounder",
            "description": "Update your profile and activate 5 campaigns, or close $50,000 "
            "of approved deals, by the end of next month.",
            "category": "award",
            "points": 150,
            "icon": "compass",
            "background_color": "#00838f",
            "text_color": "#ffffff",
            "effective": {"from": opens.isoformat(), "until": closes.isoformat()},
            "requirements": [
                [
                    {
                        "source": "company_profile_updated",
                        "aggregate": "count",
                        "operator": "at_least",
                        "value": 1,
                    },
                    {
                        "source": "campaign_activations",
                        "aggregate": "count_distinct",
                        "field": "campaign_id",
                        "operator": "at_least",
                        "value": 5,
                    },
                ],
                [_deals_total("USD", 50000)],
            ],
        },
        {
            "key": "call-streak",
            "name": "Ten calls",
            "description": "Every 10 calls earn 10 points.",
            "category": "award",
            "points": 10,
            "icon": "phone",
            "repeatable": True,
            "requirements": [
                [{"source": "calls", "aggregate": "count", "operator": "at_least", "value": 10}]
            ],
        },
        {
            "key": "top-performers-club",
            "name": "Top Performers' Club",
            "description": "Hold 8 calls of 10 minutes or more in a week.",
            "category": "membership",
            "period": "week",
            "points": 75,
            "icon": "star",
            "background_color": "#1565c0",
            "text_color": "#ffffff",
            "show_next_to_name": True,
            "requirements": [
                [
                    {
                        "source": "calls",
                        "where": [{"field": "minutes", "op": "gte", "value": 10}],
                        "aggregate": "count",
                        "operator": "at_least",
                        "value": 8,
                    }
                ]
            ],
        },
        {
            "key": "monthly-closer",
            "name": "Monthly closer",
            "description": "Close 3 approved deals in a month.",
            "category": "membership",
            "period": "month",
            "points": 120,
            "icon": "handshake",
            "requirements": [
                [
                    {
                        "source": "deals",
                        "where": [{"field": "status", "op": "eq", "value": "Approved"}],
                        "aggregate": "count",
                        "operator": "at_least",
                        "value": 3,
                    }
                ]
            ],
        },
        {
            "key": "certified",
            "name": "Certified partner",
            "description": "Complete a certification.",
            "category": "membership",
            "points": 80,
            "icon": "graduation-cap",
            "background_color": "#37474f",
            "text_color": "#ffffff",
            "requirements": [
                [
                    {
                        "source": "certifications",
                        "aggregate": "count",
                        "operator": "at_least",
                        "value": 1,
                    }
                ]
            ],
        },
        {
            "key": "call-champion",
            "name": "Call champion of the week",
            "description": "The first to 15 calls in a week takes the title.",
            "category": "record",
            "period": "week",
            "points": 200,
            "icon": "medal",
            "background_color": "#c62828",
            "text_color": "#ffffff",
            "show_next_to_name": True,
            "requirements": [
                [{"source": "calls", "aggregate": "count", "operator": "at_least", "value": 15}]
            ],
        },
        {
            "key": "steady-week",
            "name": "Steady week",
            "description": "Six calls or more in a week, no more than four of them voicemail. "
            "Decided when the week is over.",
            "category": "award",
            "period": "week",
            "points": 30,
            "icon": "phone",
            "requirements": [
                [
                    {"source": "calls", "aggregate": "count", "operator": "at_least", "value": 6},
                    {
                        "source": "calls",
                        "where": [{"field": "outcome", "op": "eq", "value": "voicemail"}],
                        "aggregate": "count",
                        "operator": "at_most",
                        "value": 4,
                    },
                ]
            ],
        },
        {
            "key": "employee-of-the-month",
            "name": "Employee of the Month",
            "description": "One person, one month: chosen by the managers.",
            "category": "record",
            "period": "month",
            "points": 500,
            "icon": "crown",
            "background_color": "#ff8f00",
            "text_color": "#1a1a1a",
            "show_next_to_name": True,
        },
    ]


BADGES = {
    "campaign-champion": ("#6a1b9a", "#ffd54f"),
    "top-performers-club": ("#1565c0", "#ffffff"),
    "call-champion": ("#c62828", "#ffeb3b"),
    "employee-of-the-month": ("#ff8f00", "#ffffff"),
}


def _deals_total(currency: str, value: int) -> dict[str, Any]:
    return {
        "source": "deals",
        "where": [
            {"field": "status", "op": "eq", "value": "Approved"},
            {"field": "currency", "op": "eq", "value": currency},
        ],
        "aggregate": "sum",
        "field": "value",
        "operator": "at_least",
        "value": value,
    }


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
