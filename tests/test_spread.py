"""The SVG spread of figures (claimsdb.spread): one bar per figure, open ends
drawn as open, the scale, accessible text, escaping."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from claimsdb.spread import Figure, axis_for, choose_scale, render_spread


def figure(claim_id, low, high, low_inclusive=True, high_inclusive=True, **more):
    values = dict(value_text="around 1", interval="[?]", speaker="Speaker", reporter="Outlet", source="Title", published="2021")
    values.update(more)
    return Figure(claim_id, f"/claims/claims/{claim_id}", low, high, low_inclusive, high_inclusive, **values)


class Elements(HTMLParser):
    """Every element of the SVG, as (tag, attributes), and the open <g class="bar"> each lies in."""

    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict, str | None]] = []
        self._stack: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        bar = attrs.get("data-claim") if tag == "g" else None
        current = bar or (self._stack[-1] if self._stack else None)
        self.elements.append((tag, attrs, current))
        if tag not in ("circle", "rect", "path", "line", "stop"):
            self._stack.append(current)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs), self._stack[-1] if self._stack else None))

    def handle_endtag(self, tag):
        if tag not in ("circle", "rect", "path", "line", "stop") and self._stack:
            self._stack.pop()


def parse(svg) -> list[tuple[str, dict, str | None]]:
    parser = Elements()
    parser.feed(str(svg))
    return parser.elements


def shapes_of(elements, claim_id):
    return [(tag, attrs.get("class", "")) for tag, attrs, bar in elements if bar == claim_id and tag in ("circle", "rect", "path")]


FIGURES = [
    figure("thousands", 2000, 10000, True, False),
    figure("more-than", 30000, None, False, False),
    figure("exactly", 32, 32),
    figure("below", None, 500, True, True),
]


def test_one_bar_per_figure_linking_to_its_claim():
    elements = parse(render_spread(FIGURES, "People", "people"))
    bars = [attrs["data-claim"] for tag, attrs, _ in elements if tag == "g" and "bar" in attrs.get("class", "").split()]
    assert bars == [f.claim_id for f in FIGURES]
    links = {bar: attrs["href"] for tag, attrs, bar in elements if tag == "a"}
    assert links == {f.claim_id: f.url for f in FIGURES}


def test_bounds_are_drawn_as_they_are_included_excluded_or_absent():
    elements = parse(render_spread(FIGURES, "People", "people", "linear"))
    # [2,000, 10,000): a closed cap, then an open one.
    assert ("circle", "cap closed") in shapes_of(elements, "thousands") and ("circle", "cap open") in shapes_of(elements, "thousands")
    # (30,000, ∞): an open cap at 30,000, a fade and an arrow to the right edge.
    more = shapes_of(elements, "more-than")
    assert ("circle", "cap open") in more and ("path", "arrow") in more and ("rect", "fade") in more
    assert ("circle", "cap closed") not in more
    # 32: a single point, no bar.
    assert shapes_of(elements, "exactly") == [("rect", "hit"), ("circle", "point")]
    # (−∞, 500]: an arrow at the left, a closed cap at 500.
    below = shapes_of(elements, "below")
    assert ("path", "arrow") in below and below.count(("circle", "cap closed")) == 1


def test_unbounded_figures_run_to_the_edge_beyond_every_bound():
    svg = str(render_spread([figure("a", 10, 20), figure("b", 30, None, False)], "M", "u", "linear"))
    arrow = re.search(r'data-claim="b".*?class="arrow" d="M([\d.]+),', svg).group(1)
    caps = [float(x) for x in re.findall(r'class="cap [a-z]+" cx="([\d.]+)"', svg)]
    assert float(arrow) > max(caps)


def test_scale_is_log_when_figures_span_two_orders_of_magnitude():
    assert choose_scale([figure("a", 20, 30), figure("b", 3000, None)]) == "log"
    assert choose_scale([figure("a", 2000, 10000), figure("b", 30000, None)]) == "linear"
    assert 'data-scale="log"' in str(render_spread([figure("a", 2000, 10000)], "M", "u", "log"))
    assert 'data-scale="linear"' in str(render_spread([figure("a", 20, 30000)], "M", "u", "linear"))


@given(st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 10**7), st.booleans()), min_size=1, max_size=8),
       st.sampled_from(["linear", "log"]))
@settings(max_examples=200, deadline=None)
def test_every_bound_lies_on_the_axis(bounds, scale):
    figures = [figure(f"c{i}", min(a, b), None if open_ else max(a, b)) for i, (a, b, open_) in enumerate(bounds)]
    axis = axis_for(figures, scale)
    assert axis.ticks and list(axis.ticks) == sorted(axis.ticks)
    for f in figures:
        for value in (f.low, f.high):
            if value is not None and not (scale == "log" and value <= 0):
                assert axis.low <= value <= axis.high
    svg = str(render_spread(figures, "M", "u", scale))
    assert svg.count('class="bar"') == len(figures)


def test_chart_has_accessible_text():
    svg = str(render_spread(FIGURES, "People executed", "people"))
    assert re.search(r'<svg[^>]*aria-labelledby="spread-title" aria-describedby="spread-desc"', svg)
    assert '<title id="spread-title">Every figure given for “People executed”</title>' in svg
    assert re.search(r'<desc id="spread-desc">4 figure\(s\)', svg)
    labels = re.findall(r'<a href="[^"]*" aria-label="([^"]*)"><title>([^<]*)</title>', svg)
    assert len(labels) == 4 and all(label == title and label.startswith("Speaker: ") for label, title in labels)


def test_every_text_in_the_chart_is_escaped():
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(1)>'
    svg = str(render_spread([figure("a", 1, 2, speaker=hostile, source=hostile, reporter=hostile, value_text=hostile)], hostile, hostile))
    assert "<script>" not in svg and "<img" not in svg
    assert "&lt;script&gt;" in svg
    for tag, attrs, _ in parse(svg):
        assert tag not in ("script", "img")
        assert not any(name.startswith("on") for name in attrs)


def elements_of(svg: str, claim_id: str) -> list[tuple[str, dict]]:
    return [(tag, attrs) for tag, attrs, bar in parse(svg) if bar == claim_id]


def test_a_closed_bound_at_zero_on_a_log_scale_is_drawn_as_a_bound():
    from claimsdb.spread import PLOT_LEFT

    figures = [figure("zero", 0.0, 100.0), figure("big", 10_000.0, 20_000.0)]
    svg = str(render_spread(figures, "Measure", "people", "log"))
    shapes = elements_of(svg, "zero")
    caps = [attrs for tag, attrs in shapes if tag == "circle" and "cap" in attrs.get("class", "")]
    assert sorted(c["class"] for c in caps) == ["cap closed", "cap closed"]
    assert min(float(c["cx"]) for c in caps) == PLOT_LEFT
    # Neither faded nor an arrow: a bound, not an open end.
    assert not [a for t, a in shapes if "fade" in a.get("class", "") or "arrow" in a.get("class", "")]
    assert re.search(r'<text class="tick" x="16.0" y="\d+">0</text>', svg)
    # The decades start apart from 0.
    ticks = [float(x) for x in re.findall(r'<text class="tick" x="([\d.]+)"', svg)]
    assert sorted(ticks)[1] > PLOT_LEFT + 40


def test_an_open_bound_at_zero_on_a_log_scale_is_drawn_open():
    svg = str(render_spread([figure("zero", 0.0, 100.0, low_inclusive=False), figure("big", 10_000.0, 20_000.0)], "M", "people", "log"))
    caps = sorted(a["class"] for t, a in elements_of(svg, "zero") if t == "circle")
    assert caps == ["cap closed", "cap open"]


def test_an_interval_the_editor_read_is_drawn_apart_and_said_so():
    svg = str(render_spread([figure("table", 10.0, 20.0), figure("editor", 30.0, None, read_by_editor=True)], "M", "people"))
    assert '<g class="bar editor" role="listitem" data-claim="editor">' in svg
    assert '<g class="bar" role="listitem" data-claim="table">' in svg
    assert "interval read by the editor" in re.search(r'data-claim="editor"><a href="[^"]*" aria-label="([^"]*)"', svg).group(1)
    assert "read by the editor</text>" in svg  # the legend's entry


def test_figure_from_row_marks_an_explicit_interval_as_read_by_the_editor():
    from claimsdb.spread import figure_from_row

    row = dict(id="x", value_low=1.0, value_high=None, value_low_inclusive=1, value_high_inclusive=0, value_text="much higher",
               value_interval="[1, ∞)", speaker="S", reporter="R", source_title="T", withdrawn=None, hedges=None)
    assert figure_from_row({**row, "value_rule": "explicit"}, "/x", None).read_by_editor
    assert not figure_from_row({**row, "value_rule": "more than"}, "/x", None).read_by_editor
