"""Scrub secrets from artifacts after Playwright has written them.

Playwright records what `fill()` typed (trace actions), form posts (trace resources, HAR
`postData`) and every header, cookies included. So, per artifact folder:

1. harvest: the values of cookies and credential headers found in the HAR and the trace's network
   log are registered as secrets (the password already is, from config);
2. mask: in JSON (the HAR, each line of `trace.*`), the values of credential headers, cookies and
   secret-named form fields become `[REDACTED]`;
3. redact: every text file and every member of trace.zip goes through `redact_bytes` and the
   credential patterns of `redact()`, so no raw, URL-encoded or JSON-escaped secret survives.
"""

from __future__ import annotations

import contextlib
import json
import zipfile
from pathlib import Path
from typing import Any

from prodsmoke import redact

CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)
SECRET_FIELDS = ("password", "passwd", "secret", "token", "session", "api_key", "apikey")
_TEXT_SUFFIXES = (".trace", ".network", ".json", ".har", ".log", ".txt", ".html", ".dat", ".css")
_IMAGES = (".png", ".jpeg", ".jpg", ".webp")
TOKEN_MIN = 16  # a harvested value shorter than this is masked in artifacts only


def scrub_folder(folder: Path) -> None:
    """Scrub every artifact under `folder` in place."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    for path in files:
        for value in _harvest(path):
            if token_like(value):  # masked wherever it appears from now on, not just here
                redact.register_secret(value)
    for path in files:
        if path.suffix == ".zip":
            _scrub_zip(path)
        elif path.suffix.lower() not in _IMAGES:
            path.write_bytes(_scrub_bytes(path.name, path.read_bytes()))


def token_like(value: str) -> bool:
    """A session id, token or key, not a word: long, and of more than one kind of character.

    Credential headers and cookies are masked in the artifacts whatever their value; a value is
    also masked everywhere else (the console, results.json) only when it looks like a token, so a
    cookie such as `user=standard_user` does not mask every later text that names the user.
    """
    if len(value) < TOKEN_MIN:
        return False
    kinds = (str.islower, str.isupper, str.isdigit)
    found = sum(any(test(c) for c in value) for test in kinds)
    found += any(not c.isalnum() for c in value)
    return found >= 2  # noqa: PLR2004 - two kinds of character at least


def _harvest(path: Path) -> set[str]:
    found: set[str] = set()
    if path.suffix == ".har":
        _collect(_load(path.read_bytes()), found)
    elif path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith((".trace", ".network")):
                    for line in archive.read(name).splitlines():
                        _collect(_load(line), found)
    return found


def _collect(node: Any, found: set[str]) -> None:
    """Values of credential headers and cookies anywhere in a JSON tree."""
    if isinstance(node, dict):
        name = str(node.get("name", "")).lower()
        value = node.get("value")
        if isinstance(value, str) and name in CREDENTIAL_HEADERS:
            found.update(_credential_values(name, value))
        for child in node.values():
            _collect(child, found)
    elif isinstance(node, list):
        for child in node:
            _collect(child, found)


def _credential_values(header: str, value: str) -> set[str]:
    if header == "set-cookie":
        first = value.split(";", 1)[0]
        return {first.split("=", 1)[1].strip()} if "=" in first else set()
    if header == "cookie":
        return {p.split("=", 1)[1].strip() for p in value.split(";") if "=" in p}
    parts = value.split()
    return {value, parts[-1]} if len(parts) > 1 else {value}


def _mask(node: Any) -> Any:
    """`node` with credential headers, cookies and secret-named form fields masked."""
    if isinstance(node, dict):
        name = str(node.get("name", "")).lower()
        if "value" in node and (name in CREDENTIAL_HEADERS or _secret_field(name)):
            return {**node, "value": redact.MASK}
        return {
            k: (
                [_masked_cookie(c) for c in v]
                if k == "cookies" and isinstance(v, list)
                else _mask(v)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_mask(child) for child in node]
    return node


def _masked_cookie(cookie: Any) -> Any:
    return (
        {**cookie, "value": redact.MASK}
        if isinstance(cookie, dict) and "value" in cookie
        else cookie
    )


def _secret_field(name: str) -> bool:
    return any(word in name for word in SECRET_FIELDS)


def _load(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


def _scrub_bytes(name: str, data: bytes) -> bytes:
    if name.endswith((".har", ".trace", ".network")):
        data = _scrub_json(data, lines=not name.endswith(".har"))
    data = redact.redact_bytes(data)
    if name.endswith(_TEXT_SUFFIXES):
        with contextlib.suppress(UnicodeDecodeError):
            data = redact.redact(data.decode("utf-8")).encode("utf-8")
    return data


def _scrub_json(data: bytes, *, lines: bool) -> bytes:
    chunks = data.splitlines() if lines else [data]
    out = []
    for chunk in chunks:
        parsed = _load(chunk)
        out.append(
            chunk if parsed is None else json.dumps(_mask(parsed), ensure_ascii=False).encode()
        )
    return b"\n".join(out) + (b"\n" if lines else b"")


def _scrub_zip(path: Path) -> None:
    scrubbed = path.with_suffix(".scrubbing")
    with (
        zipfile.ZipFile(path) as source,
        zipfile.ZipFile(scrubbed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if not info.filename.lower().endswith(_IMAGES):
                data = _scrub_bytes(info.filename, data)
            target.writestr(info, data)
    scrubbed.replace(path)
