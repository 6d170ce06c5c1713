"""axe-core in the browser tests: the script comes from the PyPI package axe-playwright-python
(a dev dependency, so scripts/setup installs it), is injected into the page through the
DevTools protocol (so the pages' Content-Security-Policy does not block it) and run there.

Only `serious` and `critical` violations fail a page (issue 19); the report names the page,
the rule, its help text and link, and the elements with what axe found wrong in each.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

FAILING = frozenset({"serious", "critical"})
RUN = "async () => await axe.run(document, {resultTypes: ['violations']})"


@cache
def axe_script() -> str:
    try:
        script = resources.files("axe_playwright_python").joinpath("axe.min.js")
        return script.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - broken environment
        pytest.fail("axe-playwright-python is not installed: run scripts/setup (dev dependency).")


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now, the serious and critical ones only."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_script())
    found: dict[str, Any] = page.evaluate(RUN)
    return [v for v in found["violations"] if v.get("impact") in FAILING]


def report(where: str, found: list[dict[str, Any]]) -> str:
    """Readable lines: the page, then per rule its id, impact, help and the elements."""
    lines = [where]
    for violation in found:
        lines.append(
            f"  {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}")
            summary = node.get("failureSummary") or ""
            for text in summary.splitlines()[1:]:
                lines.append(f"      {text.strip()}")
    return "\n".join(lines)
