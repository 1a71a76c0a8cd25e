"""Editor-written text never reorders the page around it.

A statement, a name or a note may hold right-to-left text (Persian, Arabic)
or, by mistake or malice, bidirectional control characters (U+202E turns the
rest of a line around). Every such field is displayed inside ``<bdi>`` (the
``bdi`` filter), an isolate: its direction is worked out from its own text and
nothing in it reaches past its end, so a heading or a line of "speaker, in
outlet, date" keeps its order. A page title cannot hold markup, so there the
controls are dropped (``plain`` filter). Refusing the controls in claim files
is the checks' job; this is the display side.
"""

from __future__ import annotations

from datasette import hookimpl
from markupsafe import Markup

from claimsdb.evidence import without_bidi_controls


def isolate(value, lang: str | None = None, direction: str | None = None) -> Markup:
    """``value`` inside <bdi>; with the language of the source it comes from
    (and its direction, for a quote in a right-to-left text) where known."""
    if value is None or value == "":
        return Markup("")
    attributes = Markup("").join(Markup(' {}="{}"').format(name, given) for name, given in (("lang", lang), ("dir", direction)) if given)
    return Markup("<bdi{}>{}</bdi>").format(attributes, value)


def plain(value) -> str:
    return "" if value is None else without_bidi_controls(str(value))


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["bdi"] = isolate
    env.filters["plain"] = plain
