"""The demo organisation: its teams, people and sources of records."""

from __future__ import annotations

from plaudit.source.schemas import SourceCreate

TEAMS = [
    ("demo-northwind", "Northwind Partners", {"tier": "gold", "region": "EMEA"}),
    ("demo-contoso", "Contoso Resellers", {"tier": "silver", "region": "NA"}),
    ("demo-inside-sales", "Inside Sales", {"tier": "internal", "region": "EMEA"}),
]
MARKER = TEAMS[0][0]
"""The external_id of the demo's first team: its presence means the demo is loaded."""

PEOPLE = [
    "Ada Lovelace",
    "Grace Hopper",
    "Alan Turing",
    "Katherine Johnson",
    "Linus Torvalds",
    "Margaret Hamilton",
    "Dennis Ritchie",
    "Barbara Liskov",
    "Ken Thompson",
    "Frances Allen",
    "Edsger Dijkstra",
    "Radia Perlman",
]
STAR, PARTIAL, RECENT_STAR = 0, 1, 3
"""Members whose data is shaped, not drawn: a high achiever (Ada), someone three campaigns
into five (Grace), and this month's Employee of the Month (Katherine)."""

SOURCES = [
    SourceCreate(key="company_profile_updated", name="Company Profile Updated", fields=[]),
    SourceCreate.model_validate(
        {
            "key": "campaign_activations",
            "name": "Campaign activations",
            "fields": [{"name": "campaign_id", "type": "string", "label": "Campaign"}],
        }
    ),
    SourceCreate.model_validate(
        {
            "key": "deals",
            "name": "Deals",
            "fields": [
                {"name": "type", "type": "string"},
                {"name": "stage", "type": "string"},
                {"name": "currency", "type": "string"},
                {"name": "status", "type": "string"},
                {"name": "value", "type": "number"},
                {"name": "close_date", "type": "date"},
            ],
            # As in Unifyr: a new rule over deals starts with "status is Approved".
            "default_where": [{"field": "status", "op": "eq", "value": "Approved"}],
        }
    ),
    SourceCreate.model_validate(
        {
            "key": "calls",
            "name": "Calls",
            "fields": [
                {"name": "minutes", "type": "number"},
                {"name": "outcome", "type": "string"},
            ],
        }
    ),
    SourceCreate.model_validate(
        {
            "key": "certifications",
            "name": "Certification Completed",
            "fields": [{"name": "course", "type": "string"}],
        }
    ),
]
