"""The docs describe the code: every setting, CLI command and option, and API route (with the
roles it admits) is documented, nothing documented is gone, and every relative link resolves.

Everything is discovered from the code at test time (Settings fields, the Typer app, the
application's route table), so a new setting, command or route fails here until its docs are
written, with a message saying what to add where.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer
from pydantic import SecretStr
from pydantic_core import PydanticUndefined

from plaudit.app import API_PREFIX
from plaudit.cli.main import app as cli_app
from plaudit.config import Settings
from plaudit.http.deps import Allow
from plaudit.kit.roles import Role
from tests.reference_app import route_contexts

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
API_DOC = DOCS / "api.md"
CLI_DOC = DOCS / "cli.md"
CONFIG_DOC = DOCS / "configuration.md"

ROLE_ORDER = [r.value for r in Role]
PUBLIC = "anyone"  # the roles cell of a route that needs no token


# ---------------------------------------------------------------- markdown helpers


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.DOTALL)


def without_code(text: str) -> str:
    """The text with fenced blocks and inline code removed (links there are not links)."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def without_fences(text: str) -> str:
    return FENCE.sub("", text)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    start: int  # offset of the heading line in the text


HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def headings(text: str) -> list[Heading]:
    """The headings of a Markdown text, except lines in fenced code blocks."""
    fences = [m.span() for m in FENCE.finditer(text)]
    return [
        Heading(len(m.group(1)), m.group(2), m.start())
        for m in HEADING.finditer(text)
        if not any(a <= m.start() < b for a, b in fences)
    ]


def section(text: str, heading: Heading) -> str:
    """From a heading to the next heading of the same or a higher level."""
    after = [
        h.start for h in headings(text) if h.start > heading.start and h.level <= heading.level
    ]
    return text[heading.start : after[0] if after else len(text)]


def slug(heading_text: str) -> str:
    """GitHub's anchor for a heading: markup dropped, lower case, punctuation removed."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading_text)  # links: keep their text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for h in headings(text):
        base = slug(h.text)
        count = seen.get(base, 0)
        out.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    out |= set(re.findall(r"""<a\s+(?:name|id)=["']([^"']+)["']""", text))
    return out


def table_rows(text: str) -> Iterator[list[str]]:
    """The cells of every Markdown table row outside code blocks (separator rows skipped)."""
    for line in without_fences(text).splitlines():
        line = line.strip()
        if not (line.startswith("|") and line.endswith("|")):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line[1:-1])]
        if all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
            continue
        yield cells


def code_spans(cell: str) -> list[str]:
    return [m.group(2).strip() for m in INLINE_CODE.finditer(cell)]


# ---------------------------------------------------------------- configuration


def env_name(name: str, field: Any) -> str:
    prefix = str(Settings.model_config.get("env_prefix", ""))
    alias = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
    return (prefix + (alias or name)).upper()


def default_text(field: Any) -> str:
    """How the default must appear in the documented row."""
    default = field.default
    if default is PydanticUndefined:
        default = field.default_factory() if field.default_factory else None
    if default is None:
        return "unset"
    if isinstance(default, SecretStr):
        return default.get_secret_value()
    if isinstance(default, bool):
        return str(default).lower()
    return str(default)


def settings_rows() -> dict[str, list[str]]:
    """The rows of the settings table (header: variable | default | meaning), by variable."""
    rows: dict[str, list[str]] = {}
    in_table = False
    for cells in table_rows(read(CONFIG_DOC)):
        lowered = [c.lower() for c in cells]
        if lowered[:2] == ["variable", "default"]:
            in_table = True
            continue
        if lowered and lowered[0] == "variable":
            in_table = False
            continue
        if in_table:
            for name in code_spans(cells[0]):
                rows[name] = cells
    return rows


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_with_its_default(name: str) -> None:
    field = Settings.model_fields[name]
    variable = env_name(name, field)
    rows = settings_rows()
    assert variable in rows, (
        f"Settings.{name} is read from {variable}, which is not in the settings table of "
        f"{CONFIG_DOC.relative_to(ROOT)}: add a row | `{variable}` | default | meaning |"
    )
    expected = default_text(field)
    row = " | ".join(rows[variable][1:])
    assert expected.lower() in row.lower(), (
        f"the row of {variable} in {CONFIG_DOC.relative_to(ROOT)} does not show its default "
        f"{expected!r}"
    )


def test_every_documented_setting_exists() -> None:
    known = {env_name(n, f) for n, f in Settings.model_fields.items()}
    stale = sorted(set(settings_rows()) - known)
    assert not stale, f"{CONFIG_DOC.relative_to(ROOT)} documents settings Settings lacks: {stale}"


# ---------------------------------------------------------------- CLI


# Click objects are used by duck typing: Typer may bring its own copy of Click.
Command = Any


@cache
def root_command() -> Command:
    return typer.main.get_command(cli_app)


def subcommands(command: Command) -> dict[str, Command]:
    """A group's visible commands (none for a plain command)."""
    found = getattr(command, "commands", None)
    if not isinstance(found, dict):
        return {}
    return {name: sub for name, sub in found.items() if not getattr(sub, "hidden", False)}


def walk_commands(
    command: Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Command]]:
    if path:
        yield path, command
    for name, sub in sorted(subcommands(command).items()):
        yield from walk_commands(sub, (*path, name))


def all_commands() -> dict[str, Command]:
    return {" ".join(path): cmd for path, cmd in walk_commands(root_command())}


def command_named_by(heading: Heading) -> tuple[str | None, list[str]]:
    """The deepest command a heading such as "`plaudit token create`" names, and the words
    after it that name no command."""
    words = re.sub(r"[`*_]", "", heading.text).split()
    if not words or words[0] != "plaudit":
        return None, []
    command = root_command()
    path: list[str] = []
    for word in words[1:]:
        if word not in subcommands(command):
            break
        command = subcommands(command)[word]
        path.append(word)
    rest = words[1 + len(path) :]
    return (" ".join(path) or None), rest


def cli_sections() -> dict[str, str]:
    text = read(CLI_DOC)
    out: dict[str, str] = {}
    for heading in headings(text):
        name, _ = command_named_by(heading)
        if name is not None and name not in out:
            out[name] = section(text, heading)
    return out


COMMANDS = sorted(all_commands())


@pytest.mark.parametrize("name", COMMANDS)
def test_every_cli_command_is_documented(name: str) -> None:
    sections = cli_sections()
    assert name in sections, (
        f"`plaudit {name}` has no section in {CLI_DOC.relative_to(ROOT)}: add a heading "
        f"such as ## `plaudit {name}` (### for a command of a group)"
    )
    command = all_commands()[name]
    text = sections[name]
    missing = []
    for param in command.params:
        if getattr(param, "hidden", False):
            continue
        if getattr(param, "param_type_name", "") == "option":
            names = [*param.opts, *param.secondary_opts]
        else:
            names = [(param.name or "").upper()]
        for opt in names:
            if not re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", text):
                missing.append(opt)
    assert not missing, (
        f"the section of `plaudit {name}` in {CLI_DOC.relative_to(ROOT)} does not mention {missing}"
    )


def test_every_documented_command_exists() -> None:
    commands = all_commands()
    stale = []
    for heading in headings(read(CLI_DOC)):
        name, rest = command_named_by(heading)
        if not re.sub(r"[`*_]", "", heading.text).startswith("plaudit "):
            continue
        names_a_group = name is None or bool(subcommands(commands[name]))
        if names_a_group and rest and re.fullmatch(r"[a-z][a-z0-9-]*", rest[0]):
            stale.append(heading.text)  # `plaudit token frobnicate`: no such subcommand
    assert not stale, f"{CLI_DOC.relative_to(ROOT)} has headings for unknown commands: {stale}"


def test_the_cli_has_commands() -> None:
    assert {"serve", "migrate"} <= set(COMMANDS)


# ---------------------------------------------------------------- API routes


@dataclass(frozen=True)
class ApiRoute:
    method: str
    path: str  # relative to API_PREFIX, e.g. /members/{member_id}
    roles: frozenset[str] | None  # None: no Allow dependency, so no token needed

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def allowed_roles(dependant: Any) -> frozenset[str] | None:
    """The roles every Allow dependency of the route admits (their intersection)."""
    found: list[frozenset[str]] = []

    def visit(dep: Any) -> None:
        if isinstance(dep.call, Allow):
            found.append(frozenset(r.value for r in dep.call.roles))
        for sub in dep.dependencies:
            visit(sub)

    visit(dependant)
    if not found:
        return None
    return frozenset.intersection(*found)


@cache
def api_routes() -> tuple[ApiRoute, ...]:
    out = []
    for ctx in route_contexts():
        path, methods = ctx.path, set(ctx.methods or ())
        dependant = getattr(ctx, "dependant", None) or getattr(
            ctx.original_route, "dependant", None
        )
        if not path or not path.startswith(API_PREFIX + "/"):
            continue
        roles = allowed_roles(dependant) if dependant is not None else None
        for method in sorted(methods - {"HEAD", "OPTIONS"}):
            out.append(ApiRoute(method, path[len(API_PREFIX) :], roles))
    return tuple(sorted(out, key=lambda r: (r.path, r.method)))


def normalised(key: str) -> str:
    """A route key with path parameters unnamed: GET /members/{} ."""
    return re.sub(r"\{[^}/]*\}", "{}", key)


def route_pattern(route: ApiRoute) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]*\})", route.path)
    path = "".join(r"\{[^}/]+\}" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(
        rf"(?<![A-Za-z]){route.method} (?:{re.escape(API_PREFIX)})?{path}(?![\w/{{}}.-])"
    )


def documented_roles(cell: str) -> frozenset[str] | None:
    words = set(re.findall(r"[a-z]+", cell.lower()))
    roles = frozenset(r for r in ROLE_ORDER if r in words)
    if not roles and PUBLIC in words:
        return None
    return roles


def route_table() -> dict[str, tuple[str, frozenset[str] | None]]:
    """Rows of docs/api.md whose first cell is `METHOD /path`: normalised key -> (key, roles)."""
    rows = {}
    for cells in table_rows(read(API_DOC)):
        if len(cells) < 2:
            continue
        for span in code_spans(cells[0]):
            if re.fullmatch(r"(GET|POST|PUT|PATCH|DELETE) /\S*", span):
                rows[normalised(span)] = (span, documented_roles(cells[1]))
    return rows


ROUTES = api_routes()


def roles_text(roles: frozenset[str] | None) -> str:
    if roles is None:
        return f"{PUBLIC} (no token)"
    return ", ".join(r for r in ROLE_ORDER if r in roles) or "nobody"


@pytest.mark.parametrize("route", ROUTES, ids=[r.key for r in ROUTES])
def test_every_route_is_documented(route: ApiRoute) -> None:
    assert route_pattern(route).search(read(API_DOC)), (
        f"{route.key} is not in {API_DOC.relative_to(ROOT)}: add "
        f"| `{route.key}` | {roles_text(route.roles)} | what it does | to the route table"
    )


@pytest.mark.parametrize("route", ROUTES, ids=[r.key for r in ROUTES])
def test_the_route_table_has_every_route_with_its_roles(route: ApiRoute) -> None:
    rows = route_table()
    assert normalised(route.key) in rows, (
        f"{route.key} has no row in the route table of {API_DOC.relative_to(ROOT)}: add "
        f"| `{route.key}` | {roles_text(route.roles)} | what it does |"
    )
    documented, roles = rows[normalised(route.key)]
    assert roles == route.roles, (
        f"{API_DOC.relative_to(ROOT)} says `{documented}` admits {roles_text(roles)}; "
        f"the code admits {roles_text(route.roles)}"
    )


def test_every_documented_route_exists() -> None:
    served = {normalised(r.key) for r in ROUTES}
    stale = sorted(key for key, _ in route_table().values() if normalised(key) not in served)
    assert not stale, (
        f"the route table of {API_DOC.relative_to(ROOT)} lists routes the app does not "
        f"serve: {stale}"
    )


def test_routes_are_found() -> None:
    keys = {r.key for r in ROUTES}
    assert {"GET /health", "POST /sources/{key}/records", "GET /leaderboard"} <= keys
    assert next(r for r in ROUTES if r.key == "POST /tokens").roles == {"admin"}


# ---------------------------------------------------------------- layering


def test_every_import_contract_is_in_the_architecture() -> None:
    config = tomllib.loads(read(ROOT / "pyproject.toml"))
    contracts = config.get("tool", {}).get("importlinter", {}).get("contracts", [])
    architecture = read(DOCS / "architecture.md")
    missing = [c["name"] for c in contracts if c["name"] not in architecture]
    assert not missing, (
        f"docs/architecture.md does not describe the import-linter contracts {missing}: add "
        "them to its table of contracts"
    )


# ---------------------------------------------------------------- links


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)


def relative_links(text: str) -> list[str]:
    body = without_code(text)
    targets = LINK.findall(body) + REFERENCE.findall(body)
    return [t for t in targets if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", t)]


@pytest.mark.parametrize("doc", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc: Path) -> None:
    text = read(doc)
    broken = []
    for target in relative_links(text):
        path_part, _, anchor = target.partition("#")
        resolved = (doc.parent / path_part).resolve() if path_part else doc
        if not resolved.exists():
            broken.append(f"{target} (no such file)")
            continue
        if anchor and resolved.suffix == ".md" and anchor not in anchors(read(resolved)):
            broken.append(f"{target} (no heading with that anchor)")
    assert not broken, f"{doc.relative_to(ROOT)} has broken links: {broken}"


def test_link_finder_sees_links_but_not_code() -> None:
    sample = "[a](docs/x.md) ![i](img.png) [b](https://e.org) `[c](no.md)`\n```\n[d](no.md)\n```\n"
    assert relative_links(sample) == ["docs/x.md", "img.png"]
    assert slug("Bulk giving: `POST /achievements/{id}/awards/bulk`") == (
        "bulk-giving-post-achievementsidawardsbulk"
    )
