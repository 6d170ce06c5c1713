"""Server-rendered SVG charts: pure functions from data to SVG markup. No third-party code.

Every chart is `<svg role="img">` with a `<title>` and a `<desc>` (read by screen readers);
the pages show the same numbers in a table too. All text is escaped with markupsafe, so a
name like `R&D <north>` is drawn as text, never as markup. Colours come from CSS classes
(`static/css/automation.css`) with a fallback `fill` for viewers without the stylesheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

BAR_HEIGHT = 22
BAR_GAP = 10
LABEL_WIDTH = 180
PLOT_WIDTH = 360
VALUE_WIDTH = 150
TOP = 8
COLUMN_PLOT_HEIGHT = 160
COLUMN_LABEL_SPACE = 26
COLUMN_AXIS_WIDTH = 48
MAX_LABEL = 28


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: `value` out of `total` (completed of eligible)."""

    label: str
    value: int
    total: int

    @property
    def ratio(self) -> float:
        """The share drawn: 0 when nothing is eligible, at most 1."""
        if self.total <= 0:
            return 0.0
        return min(1.0, max(0.0, self.value / self.total))

    @property
    def percent_text(self) -> str:
        if self.total <= 0:
            return "—"
        return f"{round(100 * self.value / self.total)}%"


@dataclass(frozen=True)
class Column:
    """One column of a column chart: a bucket's label and its value."""

    label: str
    value: float
    short: str = ""
    """The label under the column (default: the label, shortened)."""


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: float) -> str:
    """Coordinates with at most two decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _open_svg(width: float, height: float, title: str, desc: str, css: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {escape(css)}" role="img" '
        f'viewBox="0 0 {_number(width)} {_number(height)}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )


def bar_chart(title: str, bars: Sequence[Bar], *, desc: str = "") -> Markup:
    """Horizontal bars, one per row: label, a track with the completed share, and
    "completed of total (percent)" after it. Empty data draws a chart that says so."""
    summary = desc or "; ".join(
        f"{b.label}: {b.value} of {b.total} ({b.percent_text})" for b in bars
    )
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    if not bars:
        height = TOP * 2 + BAR_HEIGHT
        parts = [
            _open_svg(width, height, title, desc or "No data.", "chart-bars"),
            f'<text x="0" y="{TOP + 16}" class="chart-empty">No data.</text></svg>',
        ]
        return Markup("".join(parts))  # noqa: S704 - every piece above is escaped
    height = TOP * 2 + len(bars) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    parts = [_open_svg(width, height, title, summary, "chart-bars")]
    for index, bar in enumerate(bars):
        y = TOP + index * (BAR_HEIGHT + BAR_GAP)
        filled = PLOT_WIDTH * bar.ratio
        text_y = _number(y + BAR_HEIGHT / 2 + 5)
        parts.append(
            f'<g class="chart-row"><text x="{LABEL_WIDTH - 8}" y="{text_y}" '
            f'text-anchor="end" class="chart-label">{escape(_short(bar.label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{PLOT_WIDTH}" height="{BAR_HEIGHT}" '
            f'class="chart-track" fill="#eef0f4"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{_number(filled)}" height="{BAR_HEIGHT}" '
            f'class="chart-bar" fill="#3056d3"/>'
            f'<text x="{LABEL_WIDTH + PLOT_WIDTH + 8}" y="{text_y}" class="chart-value">'
            f"{bar.value} of {bar.total} ({escape(bar.percent_text)})</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece above is escaped


def nice_top(value: float) -> float:
    """A round number at least `value` for the top of the axis (1, 2 or 5 times a power of 10)."""
    if value <= 0:
        return 1.0
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    while magnitude > value:
        magnitude /= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def column_chart(
    title: str, columns: Sequence[Column], *, desc: str = "", unit: str = ""
) -> Markup:
    """Vertical columns over time with a value axis (0, half, top) and each column's label
    under it; each column has its own <title> with the exact value."""
    slot = 40 if len(columns) <= 12 else 26
    width = COLUMN_AXIS_WIDTH + max(1, len(columns)) * slot + 8
    height = TOP + COLUMN_PLOT_HEIGHT + COLUMN_LABEL_SPACE
    suffix = f" {unit}" if unit else ""
    summary = desc or "; ".join(f"{c.label}: {_number(c.value)}{suffix}" for c in columns)
    parts = [_open_svg(width, height, title, summary or "No data.", "chart-columns")]
    top = nice_top(max((c.value for c in columns), default=0.0))
    base = TOP + COLUMN_PLOT_HEIGHT
    for tick in (0.0, top / 2, top):
        y = base - COLUMN_PLOT_HEIGHT * tick / top
        parts.append(
            f'<line x1="{COLUMN_AXIS_WIDTH}" x2="{width - 4}" y1="{_number(y)}" '
            f'y2="{_number(y)}" class="chart-grid" stroke="#d5dae3"/>'
            f'<text x="{COLUMN_AXIS_WIDTH - 6}" y="{_number(y + 4)}" text-anchor="end" '
            f'class="chart-axis">{escape(_number(tick))}</text>'
        )
    labels_every = 1 if len(columns) <= 12 else 2
    for index, column in enumerate(columns):
        x = COLUMN_AXIS_WIDTH + index * slot + slot * 0.15
        bar_width = slot * 0.7
        tall = COLUMN_PLOT_HEIGHT * max(0.0, column.value) / top
        parts.append(
            f'<rect x="{_number(x)}" y="{_number(base - tall)}" width="{_number(bar_width)}" '
            f'height="{_number(tall)}" class="chart-bar" fill="#3056d3">'
            f"<title>{escape(column.label)}: {escape(_number(column.value))}{escape(suffix)}"
            "</title></rect>"
        )
        if index % labels_every == 0:
            tick_label = column.short or _short(column.label, 8)
            parts.append(
                f'<text x="{_number(x + bar_width / 2)}" y="{base + 16}" text-anchor="middle" '
                f'class="chart-label chart-tick">{escape(tick_label)}</text>'
            )
    if not columns:
        parts.append(
            f'<text x="{COLUMN_AXIS_WIDTH + 8}" y="{base - 8}" class="chart-empty">No data.</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece above is escaped
