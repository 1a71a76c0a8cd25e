"""The spread of figures for one measure, drawn on the server as SVG.

Each quantity claim is a bar from the lowest to the highest value its figure
denotes (``claims.value_low``/``value_high``): a filled end cap for a bound
that is included, a hollow one for a bound that is excluded ("more than"),
a bar fading to the edge with an arrow where there is no bound, a dot for a
single number. Every text in the chart comes from the database and is
escaped by ``Markup.format``; the chart needs no script and carries its
meaning in <title>, <desc> and aria labels.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from markupsafe import Markup

from .evidence import isolated, without_bidi_controls

from .relations import format_number

WIDTH = 960
PLOT_LEFT, PLOT_RIGHT = 16, 916  # the arrow of an unbounded figure reaches past PLOT_RIGHT
ROW = 66
TOP = 10
AXIS = 46
LEGEND = 34
FADE = 56  # length of the fading end of a bar with no bound on that side
LABEL_CHARACTERS = 128
ZERO_GAP = 48
SCALES = ("linear", "log")
# Figures spanning this ratio (largest finite bound over smallest positive one)
# are drawn on a log scale unless the reader asks otherwise.
LOG_RATIO = 100


@dataclass(frozen=True)
class Figure:
    """One quantity claim as the chart draws it."""

    claim_id: str
    url: str
    low: float | None
    high: float | None
    low_inclusive: bool
    high_inclusive: bool
    value_text: str
    interval: str
    speaker: str
    reporter: str
    source: str
    published: str | None
    withdrawn: str | None = None
    hedges: tuple = ()  # the claim's hedging words, as written
    # True when the editor gave the interval (value_rule 'explicit'), not the
    # published table: drawn dashed, and said so.
    read_by_editor: bool = False

    @property
    def is_point(self) -> bool:
        return self.low is not None and self.low == self.high

    @property
    def hedged(self) -> str:
        return f" (hedged: {', '.join(f'“{h}”' for h in self.hedges)})" if self.hedges else ""

    def description(self, unit: str) -> str:
        text = (f"{self.speaker}: “{self.value_text}”{self.hedged}, read as {self.interval} {unit}; "
                f"reported by {self.reporter} in “{self.source}” ({self.published or 'date unknown'})")
        text += "; interval read by the editor" if self.read_by_editor else ""
        return text + (f"; withdrawn: {self.withdrawn}" if self.withdrawn else "")

    @property
    def classes(self) -> str:
        return "bar" + (" withdrawn" if self.withdrawn else "") + (" editor" if self.read_by_editor else "")


def figure_from_row(row: dict, url: str, published: str | None) -> Figure:
    """A figure from a row of claims_with_provenance or estimates joined with
    the claim's inclusive flags. SVG text cannot isolate itself, so
    bidirectional controls are dropped from every label."""
    plain = without_bidi_controls
    return Figure(row["id"], url, row["value_low"], row["value_high"], bool(row["value_low_inclusive"]),
                  bool(row["value_high_inclusive"]), plain(row["value_text"]), row["value_interval"], plain(row["speaker"]),
                  plain(row["reporter"]), plain(row["source_title"]), published, plain(row["withdrawn"]),
                  tuple(plain(h) for h in hedges_of(row)), (row.get("value_rule") if hasattr(row, "get") else None) == "explicit")


def hedges_of(row: dict) -> list[str]:
    """The claim's hedging words: a JSON array in the database, a list once a page has read it."""
    hedges = row.get("hedges") if hasattr(row, "get") else None
    return json.loads(hedges) if isinstance(hedges, str) else list(hedges or [])


def finite_values(figures: list[Figure]) -> list[float]:
    return [v for f in figures for v in (f.low, f.high) if v is not None]


def choose_scale(figures: list[Figure]) -> str:
    """log when the figures span two orders of magnitude or more, else linear."""
    positive = [v for v in finite_values(figures) if v > 0]
    if positive and max(positive) / min(positive) >= LOG_RATIO:
        return "log"
    return "linear"


def nice_step(span: float, count: int = 5) -> float:
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


@dataclass(frozen=True)
class Axis:
    scale: str
    low: float
    high: float
    ticks: tuple[float, ...]
    # A log scale cannot place 0: when a figure is bounded at 0, 0 stands at
    # PLOT_LEFT, apart from the decades, which start ZERO_GAP to its right.
    zero: bool = False

    @property
    def left(self) -> float:
        return PLOT_LEFT + (ZERO_GAP if self.zero else 0)

    def x(self, value: float) -> float:
        if self.scale == "log" and value == 0 and self.zero:
            return PLOT_LEFT
        if self.scale == "log":
            fraction = (math.log10(value) - math.log10(self.low)) / (math.log10(self.high) - math.log10(self.low))
        else:
            fraction = (value - self.low) / (self.high - self.low)
        return self.left + fraction * (PLOT_RIGHT - self.left)

    def on_scale(self, value: float) -> bool:
        if self.scale == "log" and value == 0:
            return self.zero
        return self.low <= value <= self.high and not (self.scale == "log" and value <= 0)


def axis_for(figures: list[Figure], scale: str) -> Axis:
    """An axis holding every finite bound, with room to the right for the
    arrows of figures with no upper bound."""
    values = finite_values(figures)
    unbounded_above = any(f.high is None for f in figures)
    if scale == "log":
        positive = [v for v in values if v > 0] or [1.0]
        top = max(positive) * (3 if unbounded_above else 1)
        low = 10 ** math.floor(math.log10(min(positive)))
        high = 10 ** math.ceil(math.log10(top))
        if high <= low:
            high = low * 10
        decades = range(round(math.log10(low)), round(math.log10(high)) + 1)
        steps = (1, 2, 5) if len(decades) <= 4 else (1,)
        ticks = tuple(m * 10 ** d for d in decades for m in steps if low <= m * 10 ** d <= high)
        zero = any(0 in (f.low, f.high) for f in figures)
        return Axis("log", low, high, ((0.0,) if zero else ()) + ticks, zero)
    top = max(values, default=1.0) * (1.3 if unbounded_above else 1.05) or 1.0
    low = min(0.0, min(values, default=0.0))
    step = nice_step(top - low)
    high = math.ceil(top / step) * step
    count = round((high - low) / step)
    return Axis("linear", low, high, tuple(low + i * step for i in range(count + 1)))


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def draw_figure(figure: Figure, axis: Axis, y: float, unit: str) -> Markup:
    bar_y = y + 50
    low_on = figure.low is not None and axis.on_scale(figure.low)
    high_on = figure.high is not None and axis.on_scale(figure.high)
    left = axis.x(figure.low) if low_on else PLOT_LEFT
    right = axis.x(figure.high) if high_on else PLOT_RIGHT
    shapes = []
    if figure.is_point and low_on:
        shapes.append(Markup('<circle class="point" cx="{:.1f}" cy="{}" r="6"/>').format(left, bar_y))
    else:
        solid_left = left if low_on else min(left + FADE, right)
        solid_right = right if high_on else max(right - FADE, solid_left)
        shapes.append(Markup('<rect class="range" x="{:.1f}" y="{}" width="{:.1f}" height="10"/>').format(
            solid_left, bar_y - 5, max(solid_right - solid_left, 0)))
        if not low_on:
            shapes.append(Markup('<rect class="fade" fill="url(#spread-fade-left)" x="{:.1f}" y="{}" width="{:.1f}" height="10"/>').format(
                PLOT_LEFT, bar_y - 5, solid_left - PLOT_LEFT))
            if figure.low is None:  # unbounded below: an arrow; a bound of 0 off a log scale only fades
                shapes.append(Markup('<path class="arrow" d="M{:.1f},{} l10,-7 v14 z"/>').format(PLOT_LEFT - 12, bar_y))
        if not high_on:
            shapes.append(Markup('<rect class="fade" fill="url(#spread-fade-right)" x="{:.1f}" y="{}" width="{:.1f}" height="10"/>').format(
                solid_right, bar_y - 5, PLOT_RIGHT - solid_right))
            shapes.append(Markup('<path class="arrow" d="M{:.1f},{} l-10,-7 v14 z"/>').format(PLOT_RIGHT + 14, bar_y))
        for on, x, inclusive in ((low_on, left, figure.low_inclusive), (high_on, right, figure.high_inclusive)):
            if on:
                shapes.append(Markup('<circle class="cap {}" cx="{:.1f}" cy="{}" r="5"/>').format(
                    "closed" if inclusive else "open", x, bar_y))
    # Names, figures and titles may be in another script than the label
    # around them: each is isolated (the title last, as what is shortened).
    hedged = f" (hedged: {', '.join('“' + isolated(h) + '”' for h in figure.hedges)})" if figure.hedges else ""
    who = isolated(figure.speaker) + ": “" + isolated(shorten(figure.value_text, LABEL_CHARACTERS - min(len(figure.speaker), LABEL_CHARACTERS // 2) - 4)) + "”" + hedged
    who = shorten(who, LABEL_CHARACTERS + 4)
    where = f"{figure.interval} {unit} · reported by {isolated(figure.reporter)}, {figure.published or 'date unknown'}, in “{isolated(figure.source)}”"
    if figure.withdrawn:
        where = "withdrawn · " + where
    label = Markup('<text class="who" x="{}" y="{}">{}</text><text class="where" x="{}" y="{}">{}</text>').format(
        PLOT_LEFT, y + 17, who, PLOT_LEFT, y + 34, shorten(where, LABEL_CHARACTERS + 8))
    description = figure.description(unit)
    return Markup(
        '<g class="{}" role="listitem" data-claim="{}"><a href="{}" aria-label="{}"><title>{}</title>'
        '<rect class="hit" x="0" y="{}" width="{}" height="{}"/>{}{}</a></g>'
    ).format(figure.classes, figure.claim_id, figure.url, description, description,
             y, WIDTH, ROW, label, Markup("").join(shapes))


def render_spread(figures: list[Figure], measure: str, unit: str, scale: str | None = None) -> Markup:
    """The SVG chart: one bar per figure, in the order given."""
    scale = scale if scale in SCALES else choose_scale(figures)
    axis = axis_for(figures, scale)
    plot_bottom = TOP + ROW * len(figures)
    height = plot_bottom + AXIS + LEGEND
    grid = []
    for tick in axis.ticks:
        x = axis.x(tick)
        grid.append(Markup('<line class="grid" x1="{:.1f}" x2="{:.1f}" y1="{}" y2="{}"/>'
                           '<text class="tick" x="{:.1f}" y="{}">{}</text>').format(
            x, x, TOP, plot_bottom + 4, x, plot_bottom + 20, format_number(tick)))
    title = f"Every figure given for “{measure}”"
    summary = (
        f"{len(figures)} figure(s) for “{measure}”, in {unit}, on a {scale} scale. Each bar runs from the lowest to the "
        "highest value the figure as written denotes: a filled circle marks a bound that is included, a hollow circle "
        "a bound that is excluded, a bar fading to the edge with an arrow a figure with no bound on that side, a "
        "lone dot a single number, and a dashed bar an interval the editor read from the words rather than the published table. Each bar is labelled with who gives the figure and where, and links to its claim."
    )
    legend_y = plot_bottom + AXIS + 14
    legend = Markup(
        '<g class="legend" aria-hidden="true" transform="translate({},{})">'
        '<circle class="cap closed" cx="6" cy="0" r="5"/><text x="16" y="4">bound included</text>'
        '<circle class="cap open" cx="136" cy="0" r="5"/><text x="146" y="4">bound excluded</text>'
        '<rect class="fade" fill="url(#spread-fade-right)" x="266" y="-5" width="40" height="10"/>'
        '<path class="arrow" d="M320,0 l-10,-7 v14 z"/><text x="328" y="4">no upper bound</text>'
        '<circle class="point" cx="456" cy="0" r="6"/><text x="468" y="4">a single number</text>'
        '<g class="editor"><rect class="range" x="590" y="-5" width="40" height="10"/></g><text x="638" y="4">read by the editor</text>'
        '<text class="axis-label" x="{}" y="4" text-anchor="end">{} ({} scale)</text></g>'
    ).format(PLOT_LEFT, legend_y, PLOT_RIGHT - PLOT_LEFT, unit, scale)
    return Markup(
        '<svg class="spread" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="group" aria-labelledby="spread-title" aria-describedby="spread-desc" data-scale="{}">'
        '<title id="spread-title">{}</title><desc id="spread-desc">{}</desc>'
        '<defs><linearGradient id="spread-fade-right"><stop offset="0" class="fade-from"/><stop offset="1" class="fade-to"/></linearGradient>'
        '<linearGradient id="spread-fade-left"><stop offset="0" class="fade-to"/><stop offset="1" class="fade-from"/></linearGradient></defs>'
        '<g class="axis" aria-hidden="true">{}</g><g class="bars" role="list">{}</g>{}</svg>'
    ).format(WIDTH, height, WIDTH, height, scale, title, summary, Markup("").join(grid),
             Markup("").join(draw_figure(f, axis, TOP + i * ROW, unit) for i, f in enumerate(figures)), legend)


# Small multiples: one measure in a few lines, for the landing page ----------------

SMALL_ROW = 22
SMALL_AXIS = 40


def draw_small_figure(figure: Figure, axis: Axis, y: float, unit: str) -> Markup:
    """One figure as a thin bar with its caps, without labels: who and where
    are in its <title> and aria-label, and it links to its claim."""
    low_on = figure.low is not None and axis.on_scale(figure.low)
    high_on = figure.high is not None and axis.on_scale(figure.high)
    left = axis.x(figure.low) if low_on else PLOT_LEFT
    right = axis.x(figure.high) if high_on else PLOT_RIGHT
    if figure.is_point and low_on:
        shapes = [Markup('<circle class="point" cx="{:.1f}" cy="{}" r="7"/>').format(left, y)]
    else:
        shapes = [Markup('<rect class="range" x="{:.1f}" y="{}" width="{:.1f}" height="8"/>').format(left, y - 4, max(right - left, 0))]
        if not high_on:
            shapes.append(Markup('<path class="arrow" d="M{:.1f},{} l-12,-8 v16 z"/>').format(PLOT_RIGHT + 14, y))
        if figure.low is None:
            shapes.append(Markup('<path class="arrow" d="M{:.1f},{} l12,-8 v16 z"/>').format(PLOT_LEFT - 14, y))
        for on, x, inclusive in ((low_on, left, figure.low_inclusive), (high_on, right, figure.high_inclusive)):
            if on:
                shapes.append(Markup('<circle class="cap {}" cx="{:.1f}" cy="{}" r="6"/>').format("closed" if inclusive else "open", x, y))
    description = figure.description(unit)
    return Markup('<g class="{}" role="listitem" data-claim="{}"><a href="{}" aria-label="{}"><title>{}</title>'
                  '<rect class="hit" x="0" y="{}" width="{}" height="{}"/>{}</a></g>').format(
        figure.classes, figure.claim_id, figure.url, description, description,
        y - SMALL_ROW / 2, WIDTH, SMALL_ROW, Markup("").join(shapes))


def render_small_spread(figures: list[Figure], measure: str, unit: str, scale: str | None = None) -> Markup:
    """The chart of one measure as a small multiple: the same axis and bars as
    ``render_spread``, a thin line per figure, ticks only."""
    scale = scale if scale in SCALES else choose_scale(figures)
    axis = axis_for(figures, scale)
    plot_bottom = TOP + SMALL_ROW * len(figures)
    height = plot_bottom + SMALL_AXIS
    grid = Markup("").join(
        Markup('<line class="grid" x1="{:.1f}" x2="{:.1f}" y1="{}" y2="{}"/><text class="tick" x="{:.1f}" y="{}">{}</text>').format(
            axis.x(tick), axis.x(tick), TOP, plot_bottom + 4, axis.x(tick), plot_bottom + 30, format_number(tick))
        for tick in axis.ticks)
    summary = f"{len(figures)} figure(s) for “{measure}”, in {unit}, on a {scale} scale, one bar each from the lowest to the highest value it denotes."
    bars = Markup("").join(draw_small_figure(f, axis, TOP + SMALL_ROW * (i + 0.5), unit) for i, f in enumerate(figures))
    return Markup(
        '<svg class="spread small" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="group" data-scale="{}">'
        '<title>Every figure given for “{}”</title><desc>{}</desc>'
        '<g class="axis" aria-hidden="true">{}</g><g class="bars" role="list">{}</g></svg>'
    ).format(WIDTH, height, scale, measure, summary, grid, bars)
