"""Mark the matched words in full-text search snippets.

The canned query `search_quotes` wraps matches in [[ ]] with SQLite's
snippet(); the cell is escaped first, so only those markers become HTML.
"""

import re

from datasette import hookimpl
from markupsafe import Markup, escape

MARKED = re.compile(r"\[\[(.*?)\]\]", re.S)


@hookimpl
def render_cell(value, column):
    if column not in ("quote_snippet", "translation_snippet") or not isinstance(value, str):
        return None
    return Markup(MARKED.sub(r"<mark>\1</mark>", str(escape(value))))
