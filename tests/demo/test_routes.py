"""Every route answers, and every DOM id in the contract is present."""

from __future__ import annotations

import re
import struct
import zlib
from datetime import datetime

import httpx
import pytest

from prodsmoke.demo import DemoServer, Faults, create_app

from .helpers import PASSWORD


def _has_id(html: str, tag: str, element_id: str) -> bool:
    return re.search(rf'<{tag}\b[^>]*\bid="{element_id}"', html) is not None


def test_url_is_loopback_without_trailing_slash(server: DemoServer) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)


def test_homepage_contract(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "<title>BetterPrompts (demo)</title>" in html
    assert '<link rel="icon" href="data:,">' in html
    assert re.search(r"<header\b[^>]*>.*BetterPrompts.*</header>", html, re.S)
    assert re.search(r'<a id="login-link" href="/login">', html)
    assert _has_id(html, "textarea", "prompt-input")
    assert _has_id(html, "button", "enhance-button")
    assert re.search(r'<div id="enhanced-output"[^>]*></div>', html), "output starts empty"
    assert _has_id(html, "p", "enhance-error")
    assert "/api/v1/enhance" in html
    assert "console.error" not in html
    assert "sendBeacon" not in html


def test_homepage_loads_ten_assets_by_default(client: httpx.Client) -> None:
    html = client.get("/").text
    assets = re.findall(r"/static/(asset-\d+\.(?:css|js|png))", html)
    assert sorted(assets) == sorted(f"asset-{i}.{('css', 'js', 'png')[i % 3]}" for i in range(10))
    for name in assets:
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        assert response.content
    assert client.get("/static/asset-0.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/asset-1.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/asset-10.png").status_code == 404
    assert client.get("/static/asset-1.css").status_code == 404
    assert client.get("/static/site.css").status_code == 404


def test_png_asset_is_a_valid_1x1_png(client: httpx.Client) -> None:
    response = client.get("/static/asset-2.png")
    assert response.headers["content-type"] == "image/png"
    data = response.content
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # Walk the chunks and check every CRC, then read the size from IHDR.
    offset, chunks = 8, {}
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks[kind] = body
        offset += 12 + length
    assert struct.unpack(">II", chunks[b"IHDR"][:8]) == (1, 1)
    assert b"IEND" in chunks


@pytest.mark.parametrize("count", [0, 1, 25])
def test_asset_count_is_configurable(count: int) -> None:
    with DemoServer(password=PASSWORD, assets=count) as demo, httpx.Client() as http:
        html = http.get(demo.url + "/").text
        assert len(re.findall(r"/static/asset-\d+\.", html)) == count


@pytest.mark.parametrize("path", ["/health", "/api/v1/health", "/api/v1/status"])
def test_health_document(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["version"] == "1.2.3"
    assert body["services"] == {"database": "healthy", "redis": "healthy", "ml_service": "healthy"}
    stamp = datetime.fromisoformat(body["timestamp"])
    offset = stamp.utcoffset()
    assert offset is not None and offset.total_seconds() == 0


def test_api_test(client: httpx.Client) -> None:
    response = client.get("/api/v1/test")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_login_page_contract(client: httpx.Client) -> None:
    html = client.get("/login").text
    assert '<link rel="icon" href="data:,">' in html
    assert re.search(r'<form id="login-form" method="post" action="/api/v1/auth/login">', html)
    assert re.search(r'<input id="email" name="email" type="email"', html)
    assert re.search(r'<input id="password" name="password" type="password"', html)
    assert re.search(r'<button id="login-button" type="submit">', html)
    assert 'id="login-error"' not in html


def test_dashboard_without_session_redirects_to_login(client: httpx.Client) -> None:
    response = client.get("/dashboard")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_vectors_pages_and_scripts(client: httpx.Client, server: DemoServer) -> None:
    html = client.get("/vectors").text
    port = server.url.rsplit(":", 1)[1]
    assert f'data-foreign-origin="http://localhost:{port}"' in html
    assert 'ping="/api/v1/sink/a-ping"' in html
    assert re.search(r'<a id="download-link" href="/vectors/download" download>', html)
    assert re.search(r'<form id="form-top" method="post" action="/api/v1/sink/form-top">', html)
    assert "__vectorsFired" in html
    for page, vector in [("/vectors/frame", "form-iframe"), ("/vectors/popup", "form-popup")]:
        assert f'action="/api/v1/sink/{vector}"' in client.get(page).text
    assert client.get("/vectors/blank").status_code == 200
    for script in ["worker.js", "shared-worker.js", "sw.js"]:
        response = client.get(f"/vectors/{script}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/javascript")
        assert "/api/v1/sink/" in response.text
    assert client.get("/vectors/nope.js").status_code == 404
    download = client.get("/vectors/download")
    assert download.headers["content-disposition"].startswith("attachment")


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
def test_sink_accepts_any_method(client: httpx.Client, server: DemoServer, method: str) -> None:
    response = client.request(method, "/api/v1/sink/fetch-post", content=b"x")
    assert response.status_code == 204
    (entry,) = server.audit()["sink"]
    assert entry["method"] == method
    assert entry["vector"] == "fetch-post"


def test_sink_rejects_odd_vector_names(client: httpx.Client, server: DemoServer) -> None:
    assert client.post("/api/v1/sink/Bad_Name!").status_code == 404
    assert server.audit()["sink"] == []


def test_unknown_path_is_404(client: httpx.Client) -> None:
    assert client.get("/nope").status_code == 404


def test_create_app_returns_a_starlette_app() -> None:
    app = create_app(faults=Faults(), password=PASSWORD)
    with pytest.raises(ValueError, match="assets must be 0 or more"):
        create_app(faults=Faults(), password=PASSWORD, assets=-1)
    assert callable(app)
