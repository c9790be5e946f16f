"""Pages the example team journeys use: pricing, the prompt example library, the dashboard's
history. Each has a fault that breaks it (`pricing-broken`, `examples-empty`,
`dashboard-broken`) so `smoke demo --fault …` shows a team's own journey failing; two only change
what a person sees (`pricing-restyle`, `nav-missing-item`), for the baselines."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from starlette.responses import RedirectResponse, Response

from prodsmoke.demo import render
from prodsmoke.demo.auth import SESSION_COOKIE

if TYPE_CHECKING:
    from starlette.requests import Request

    from prodsmoke.demo.state import DemoState

PLANS = (
    ("Free", "$0", "20 enhancements a day"),
    ("Pro", "$12", "Unlimited enhancements, history"),
    ("Team", "$40", "Shared prompt library, 10 seats"),
)
# pricing-restyle: the same cards and text, restyled (a stylesheet change nobody reviewed).
RESTYLE = (
    "<style>.plan { background: #f3f1ff; border: 2px solid var(--accent); border-radius: 0; }"
    " .price { color: var(--accent); font-size: 1.8rem; }</style>"
)
EXAMPLES = (
    ("Summarise a meeting", "Summarise the notes below in five bullet points for a busy reader."),
    ("Summarise a paper", "Summarise this abstract for a newcomer to the field, in plain words."),
    ("Write a cover letter", "Draft a one-page cover letter for the job ad below."),
    ("Explain code", "Explain what this function does, line by line, for a junior developer."),
    ("Plan a trip", "Plan a three-day city trip with a budget and a rainy-day option."),
)


class CatalogRoutes:
    """`GET /pricing`, `GET /examples` and `GET /dashboard`."""

    def __init__(self, state: DemoState) -> None:
        self._state = state

    async def pricing(self, request: Request) -> Response:
        """Three `.plan` cards (two with `pricing-broken`) in `#pricing`, with the time the prices
        were read (`.price-updated-at`: it changes every second, so a screenshot masks it)."""
        faults = self._state.faults
        plans = PLANS[:2] if faults.pricing_broken else PLANS
        cards = "\n".join(
            f'<li class="plan"><h2 class="plan-name">{name}</h2>'
            f'<p class="price">{price}<span class="muted"> / month</span></p>'
            f'<p class="muted">{render.escape(blurb)}</p></li>'
            for name, price, blurb in plans
        )
        now = datetime.now(UTC)
        content = (
            f'<section id="pricing"><ul id="plans" class="plans">{cards}</ul>'
            f'<p class="price-updated-at muted">Prices as of {now:%H:%M:%S} UTC</p></section>'
        )
        return self._page("Pricing", content, head=RESTYLE if faults.pricing_restyle else "")

    async def examples(self, request: Request) -> Response:
        """The example library, filtered by `?q=`: `.example` items, or `#no-results`."""
        query = request.query_params.get("q", "").strip()
        found = [
            (title, text)
            for title, text in EXAMPLES
            if query.casefold() in f"{title} {text}".casefold()
        ]
        if self._state.faults.examples_empty:
            found = []
        items = "\n".join(
            f'<li class="example"><h2>{render.escape(t)}</h2><p>{render.escape(x)}</p></li>'
            for t, x in found
        )
        results = (
            f'<ul id="results" class="examples">{items}</ul>'
            if found
            else '<p id="no-results" class="muted">No examples match.</p>'
        )
        form = (
            '<form id="search" action="/examples" method="get">'
            f'<input id="q" name="q" value="{render.escape(query)}" placeholder="Search examples">'
            '<button id="search-button" type="submit">Search</button></form>'
        )
        return self._page("Prompt examples", form + results)

    async def dashboard(self, request: Request) -> Response:
        """The signed-in user's page with `#history`; without a session, a redirect to login."""
        account = self._state.auth.account_for(request.cookies.get(SESSION_COOKIE))
        if account is None:
            return RedirectResponse("/login", status_code=303)
        if self._state.faults.dashboard_broken:
            return render.message_page(
                heading="Something went wrong", text="The dashboard is unavailable.", status=500
            )
        saved = [
            p["kind"] for p in self._state.audit.snapshot()["persisted"] if p["account"] == account
        ]
        history = (
            f'<p id="history" class="muted">{len(saved)} saved enhancement(s).</p>'
            if saved
            else '<p id="history" class="muted">No saved enhancements yet.</p>'
        )
        body = render.fill(
            "dashboard.html",
            header=render.header(
                login_link=False, missing_item=self._state.faults.nav_missing_item
            ),
            email=render.escape(account),
            history=history,
        )
        return render.page(title=f"Dashboard · {render.TITLE}", body=body)

    def _page(self, heading: str, content: str, *, head: str = "") -> Response:
        header = render.header(login_link=True, missing_item=self._state.faults.nav_missing_item)
        body = f'{header}<main class="card"><h1>{render.escape(heading)}</h1>{content}</main>'
        return render.page(title=f"{heading} · {render.TITLE}", body=body, head=head)
