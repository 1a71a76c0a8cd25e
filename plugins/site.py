"""The instance as a whole: its stylesheet (linked from every page by
metadata.yml's extra_css_urls)."""

from __future__ import annotations

from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response

STYLESHEET = Path(__file__).with_name("site.css")


@hookimpl
def register_routes():
    async def stylesheet():
        return Response(STYLESHEET.read_text(encoding="utf-8"), content_type="text/css; charset=utf-8",
                        headers={"cache-control": "max-age=3600"})

    return [(r"^/-/claimsdb/site\.css$", stylesheet)]
