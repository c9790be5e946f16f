"""Load the demo's HTML templates and static files, and render full pages with `string.Template`."""

from __future__ import annotations

import functools
import html
import json
from importlib import resources
from string import Template

from starlette.responses import HTMLResponse

TITLE = "BetterPrompts (demo)"


@functools.cache
def static_text(name: str) -> str:
    """A file from `prodsmoke/demo/static/` as text."""
    return (resources.files("prodsmoke.demo") / "static" / name).read_text(encoding="utf-8")


@functools.cache
def template(name: str) -> Template:
    """A template from `prodsmoke/demo/templates/`."""
    text = (resources.files("prodsmoke.demo") / "templates" / name).read_text(encoding="utf-8")
    return Template(text)


def fill(name: str, **values: object) -> str:
    """Render a template; every placeholder must be given (a missing one is a bug, so raise)."""
    return template(name).substitute({k: str(v) for k, v in values.items()})


def escape(text: str) -> str:
    """HTML-escape text for an element body or a quoted attribute."""
    return html.escape(text, quote=True)


def inline_script(name: str, **values: object) -> str:
    """A static JS file as an inline <script> (the page's own code is not a counted asset), each
    `__KEY__` in it replaced by `values[KEY]` as JSON."""
    text = static_text(name)
    for key, value in values.items():
        text = text.replace(f"__{key}__", json.dumps(value))
    # "</" inside a script would end the element early; none of our files contain it, but a
    # later edit might, so escape it the standard way.
    return "<script>\n" + text.replace("</", "<\\/") + "</script>"


def header(*, login_link: bool, missing_item: bool = False) -> str:
    """The site header; the homepage's carries `a#login-link`. `missing_item` (the fault
    nav-missing-item) drops the Examples link from its nav."""
    link = '<a id="login-link" href="/login">Log in</a>' if login_link else '<a href="/">Home</a>'
    examples = "" if missing_item else '<a href="/examples">Examples</a> '
    links = f'{examples}<a href="/pricing">Pricing</a> {link}'
    return fill("header.html", link=links)


def page(
    *,
    title: str = TITLE,
    body: str,
    head: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A complete HTML document with the shared stylesheet and a favicon that is never fetched."""
    document = fill(
        "page.html", title=escape(title), css=static_text("site.css"), head=head, body=body
    )
    return HTMLResponse(document, status_code=status, headers=headers)


def message_page(*, heading: str, text: str, status: int) -> HTMLResponse:
    """A small error or notice page."""
    body = fill(
        "message.html", header=header(login_link=False), heading=escape(heading), text=escape(text)
    )
    return page(title=f"{heading} · {TITLE}", body=body, status=status)
