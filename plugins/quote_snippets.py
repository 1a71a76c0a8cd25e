"""Mark the matched words in full-text search snippets.

The canned query `search_quotes` and the search page (/-/search) wrap
matches in [[ ]] with SQLite's snippet(); the text is escaped first, so only
those markers become HTML (the ``marked`` filter in templates).
"""

import re

from datasette import hookimpl
from markupsafe import Markup, escape

MARKED = re.compile(r"\[\[(.*?)\]\]", re.S)


def marked(value) -> Markup:
    return Markup(MARKED.sub(r"<mark>\1</mark>", str(escape(value or ""))))


@hookimpl
def render_cell(value, column):
    if column not in ("quote_snippet", "translation_snippet") or not isinstance(value, str):
        return None
    return marked(value)


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["marked"] = marked
