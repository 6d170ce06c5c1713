"""Public pages of published badges: the award's page (/badges/{public_id}) and a badge's
criteria (/ob/v2/badges/{badge_id}/criteria). No sign-in; nothing before publishing."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import Response
from starlette.convertors import Convertor, register_url_convertor

from plaudit.errors import NotFound
from plaudit.http.deps import SessionDep, SettingsDep
from plaudit.openbadges import publication, v2
from plaudit.openbadges.issuer import get_issuer
from plaudit.source.service import list_sources
from plaudit.web.pages import page_router, render
from plaudit.web.public_badge import criteria_groups, downloads, linkedin_url, long_date
from plaudit.web.rule_words import source_words


class PublicIdConvertor(Convertor[str]):
    """Only a public id's shape (32 url-safe characters) matches, so `/badges/12`, a badge
    image of the signed-in pages, still reaches its own route."""

    regex = "[A-Za-z0-9_-]{32}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("public_id", PublicIdConvertor())
router = page_router()
PublicId = Annotated[str, Path(min_length=32, max_length=32)]
BadgeId = Annotated[str, Path(min_length=1, max_length=30)]


@router.get("/badges/{public_id:public_id}")
def public_badge_page(
    public_id: PublicId, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    published = publication.find_published(session, public_id)
    award, achievement, member = published.award, published.achievement, published.member
    urls = v2.Urls(settings.public_url)
    issuer = get_issuer(session, settings.public_url)
    name = str(published.definition.get("name") or achievement.name)
    description = str(published.definition.get("description") or "")
    version = award.achievement_version
    zone = settings.zone
    return render(
        request,
        "public/badge.html",
        title=f"{name}, earned by {member.name}",
        name=name,
        description=description,
        member_name=member.name,
        issuer=issuer,
        issued=long_date(award.awarded_at, zone),
        issued_iso=award.awarded_at.isoformat(),
        expires=long_date(award.period_end, zone) if award.period_end else None,
        revoked=award.revoked,
        image_url=urls.badge_image(award.achievement_id, version),
        og_image=urls.baked(public_id, "png"),
        page_url=urls.page(public_id),
        criteria_url=urls.criteria(award.achievement_id, version),
        criteria=criteria_groups(published.definition, source_words(list_sources(session))),
        files=downloads(urls, public_id),
        linkedin=linkedin_url(
            name=name,
            organisation=issuer.name,
            issued=award.awarded_at,
            expires=award.period_end,
            cert_url=urls.page(public_id),
            cert_id=public_id,
            zone=zone,
        ),
    )


@router.get("/ob/v2/badges/{badge_id}/criteria")
def criteria_page(
    badge_id: BadgeId, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    parsed = v2.parse_badge_id(badge_id)
    if parsed is None:
        raise NotFound(detail="No published badge has this address.", code="badge_not_found")
    achievement_id, version = parsed
    definition = publication.published_version(session, achievement_id, version)
    name = str(definition.get("name") or f"Achievement {achievement_id}")
    return render(
        request,
        "public/criteria.html",
        title=f"How to earn {name}",
        name=name,
        description=str(definition.get("description") or ""),
        criteria=criteria_groups(definition, source_words(list_sources(session))),
        issuer=get_issuer(session, settings.public_url),
        image_url=v2.Urls(settings.public_url).badge_image(achievement_id, version),
    )
