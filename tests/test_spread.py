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


def test_a_bound_of_zero_on_a_log_scale_fades_to_the_left_edge():
    elements = parse(render_spread([figure("at-most", 0, 500), figure("b", 1000, 2000)], "M", "u", "log"))
    shapes = shapes_of(elements, "at-most")
    assert ("rect", "fade") in shapes and ("path", "arrow") not in shapes  # bounded at 0, not unbounded
    assert ("circle", "cap closed") in shapes  # at 500


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
