"""The HTML pages a user sees: homepage and login (the rest: `catalog`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prodsmoke.demo import render, vitals
from prodsmoke.demo.assets import asset_tags

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from prodsmoke.demo.state import DemoState

# banner-over-button: a promo banner laid over the Enhance button. It lets clicks through
# (pointer-events: none), so every journey still works: only a person, or a screenshot, sees that
# the button is hidden.
BANNER = '<div class="promo-banner">Spring offer: Pro is 30% off this week</div>'
BANNER_STYLE = (
    "<style>.actions { position: relative; } .promo-banner { position: absolute; inset: -0.4rem "
    "0; display: flex; align-items: center; padding: 0 1rem; font-weight: 700; color: #fff; "
    "background: #e8590c; border-radius: 8px; pointer-events: none; }</style>"
)
INVALID_CREDENTIALS = "Invalid email or password"
ACCOUNT_LOCKED = "Account locked after too many failed attempts"


def login_page(*, email: str = "", error: str = "", status: int = 200) -> Response:
    """The login form, optionally with `#login-error` and the email filled back in."""
    error_html = ""
    if error:
        error_html = f'<p id="login-error" class="alert" role="alert">{render.escape(error)}</p>'

    body = render.fill(
        "login.html",
        header=render.header(login_link=False),
        error=error_html,
        email=render.escape(email),
        scripts=render.inline_script("passkey.js"),  # issue 21: sign in with a passkey
    )
    return render.page(title=f"Log in · {render.TITLE}", body=body, status=status)


class PageRoutes:
    """`GET /` and `GET /login`."""

    def __init__(self, state: DemoState) -> None:
        self._state = state

    async def home(self, request: Request) -> Response:
        """The homepage; faults can drop its header, log a console error or add beacons."""
        faults = self._state.faults
        head, images = asset_tags(self._state.assets)
        scripts = [render.inline_script("app.js")]
        if faults.console_error:
            scripts.append(render.inline_script("console-error.js"))
        if faults.beacon:
            scripts.append(render.inline_script("beacon.js"))
        scripts += vitals.scripts(faults)
        # missing-element removes the <header> only; the login link moves below the card so the
        # login journey still works and just the homepage check fails.
        alt_nav = (
            '<nav class="alt-nav"><a id="login-link" href="/login">Log in</a></nav>'
            if faults.missing_element
            else ""
        )
        header = (
            ""
            if faults.missing_element
            else render.header(login_link=True, missing_item=faults.nav_missing_item)
        )
        body = render.fill(
            "index.html",
            header=header,
            alt_nav=alt_nav,
            images=images,
            hero=vitals.hero_tag(faults),
            banner=BANNER if faults.banner_over_button else "",
            scripts="\n".join(scripts),
        )
        if faults.banner_over_button:
            head += BANNER_STYLE
        return render.page(body=body, head=head)

    async def login(self, request: Request) -> Response:
        """The login form."""
        return login_page()
