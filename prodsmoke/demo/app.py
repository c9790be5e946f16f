"""Build the demo Starlette app: routes, the fault/audit middleware and shared state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route, WebSocketRoute

from prodsmoke.demo.api import ApiRoutes
from prodsmoke.demo.assets import AssetRoutes
from prodsmoke.demo.catalog import CatalogRoutes
from prodsmoke.demo.control import ControlRoutes
from prodsmoke.demo.middleware import DemoMiddleware
from prodsmoke.demo.pages import PageRoutes
from prodsmoke.demo.second_factor import SecondFactorRoutes
from prodsmoke.demo.sessions import SessionRoutes
from prodsmoke.demo.state import DemoState
from prodsmoke.demo.vectors import VectorRoutes
from prodsmoke.demo.vitals import BANNER_PATH, HERO_PATH, VitalsRoutes

if TYPE_CHECKING:
    from prodsmoke.demo.faults import Faults

ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _routes(state: DemoState) -> list[BaseRoute]:
    pages, api, sessions = PageRoutes(state), ApiRoutes(state), SessionRoutes(state)
    vectors, control, assets = VectorRoutes(state), ControlRoutes(state), AssetRoutes(state)
    catalog, vitals = CatalogRoutes(state), VitalsRoutes()
    factors = SecondFactorRoutes(state, sessions)  # issue 21
    return [
        Route("/", pages.home),
        Route("/login", pages.login),
        Route("/dashboard", catalog.dashboard),
        Route("/pricing", catalog.pricing),
        Route("/examples", catalog.examples),
        Route(HERO_PATH, vitals.hero),
        Route(BANNER_PATH, vitals.banner),
        Route("/static/{name}", assets.asset),
        Route("/health", api.health),
        Route("/api/v1/health", api.health),
        Route("/api/v1/status", api.health),
        Route("/api/v1/test", api.test),
        Route("/api/v1/enhance", api.enhance, methods=["POST"]),
        Route("/api/v1/analytics", api.analytics, methods=["POST"]),
        Route("/api/v1/auth/login", sessions.login, methods=["POST"]),
        Route("/api/v1/auth/logout", sessions.logout, methods=["POST"]),
        Route("/login/verify", factors.verify),
        Route("/api/v1/auth/totp", factors.totp, methods=["POST"]),
        Route("/api/v1/auth/passkey/options", factors.passkey_options, methods=["POST"]),
        Route("/api/v1/auth/passkey/verify", factors.passkey_verify, methods=["POST"]),
        WebSocketRoute("/ws", api.websocket),
        Route("/vectors", vectors.page),
        Route("/vectors/frame", vectors.frame),
        Route("/vectors/popup", vectors.popup),
        Route("/vectors/blank", vectors.blank),
        Route("/vectors/download", vectors.download),
        Route("/vectors/{name}", vectors.script),
        Route("/api/v1/sink/{vector}", vectors.sink, methods=ANY_METHOD),
        Route("/__demo__/audit", control.audit),
        Route("/__demo__/reset", control.reset, methods=["POST"]),
        Route("/__demo__/unlock", control.unlock, methods=["POST"]),
        Route("/__demo__/faults", control.get_faults, methods=["GET"]),
        Route("/__demo__/faults", control.set_faults, methods=["POST"]),
    ]


DEFAULT_RATE_LIMIT = 600  # API requests per minute per client, as SPEC §8 advertises


def create_app(
    *,
    faults: Faults,
    password: str,
    assets: int = 10,
    rate_limit: int = DEFAULT_RATE_LIMIT,
    seed: int | None = None,
) -> Starlette:
    """A fresh demo app; its `DemoState` is at `app.state.demo`."""
    state = DemoState(
        faults=faults, password=password, assets=assets, rate_limit=rate_limit, seed=seed
    )
    app = Starlette(
        routes=_routes(state),
        middleware=[Middleware(DemoMiddleware, state=state)],
        # Request bodies here are a prompt or a login form; cap them like a real gateway would.
        max_body_size=1_000_000,
    )
    app.state.demo = state
    return app


def demo_state(app: Starlette) -> DemoState:
    """The state behind an app made by `create_app`."""
    state = app.state.demo
    if not isinstance(state, DemoState):
        raise TypeError("not an app made by prodsmoke.demo.create_app")
    return state
