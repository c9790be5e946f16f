"""TOTP codes (RFC 6238's own test vectors), the forms a TOTP secret and a passkey come in, and
how config errors about them read."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from prodsmoke import redact
from prodsmoke.accounts import resolve_password
from prodsmoke.config import passkey as passkeys
from prodsmoke.config import totp as totps
from prodsmoke.config.models import Settings

# RFC 6238 Appendix B: the seeds are the ASCII digits, 20/32/64 bytes long.
SEEDS = {
    "SHA1": b"12345678901234567890",
    "SHA256": b"12345678901234567890123456789012",
    "SHA512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
VECTORS = [  # (time, SHA1, SHA256, SHA512), 8 digits
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), VECTORS)
def test_codes_are_rfc_6238s(at: int, sha1: str, sha256: str, sha512: str) -> None:
    for algorithm, expected in (("SHA1", sha1), ("SHA256", sha256), ("SHA512", sha512)):
        secret = totps.TotpSecret(SEEDS[algorithm], digits=8, algorithm=algorithm)  # type: ignore[arg-type]
        assert secret.code(secret.counter(at)) == expected


def test_base32_in_any_case_with_spaces_and_otpauth_uris_are_the_same_secret() -> None:
    text = base64.b32encode(SEEDS["SHA1"]).decode()
    spaced = " ".join(text[i : i + 4] for i in range(0, len(text), 4)).lower()
    uri = f"otpauth://totp/BetterPrompts:smoke?secret={text}&issuer=BetterPrompts&digits=8"
    plain, loose, from_uri = totps.parse(text), totps.parse(spaced), totps.parse(uri)
    assert plain.key == loose.key == from_uri.key == SEEDS["SHA1"]
    assert (from_uri.digits, from_uri.period_s) == (8, 30)
    assert from_uri.code(from_uri.counter(59)) == "94287082"
    assert "key" not in repr(plain) or text not in repr(plain)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not-base32!", "not base32"),
        ("JBSWY3DP", "at least 10"),
        ("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP", "not a TOTP URI"),
        ("otpauth://totp/x?issuer=y", "no secret="),
        ("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=MD5", "not one of SHA1"),
    ],
)
def test_a_malformed_secret_says_why_without_quoting_it(text: str, says: str) -> None:
    with pytest.raises(totps.TotpFormError) as caught:
        totps.parse(text)
    assert says in str(caught.value)
    assert "JBSWY3DPEHPK3PXP" not in str(caught.value)


def _key_pair() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    b64 = lambda data: base64.urlsafe_b64encode(data).decode().rstrip("=")  # noqa: E731
    return b64(der), b64(spki)


def test_a_passkey_without_its_public_key_gets_it_from_the_private_key() -> None:
    private, public = _key_pair()
    document = {"credentialId": "AAEC", "rp_id": "app.example.com", "userHandle": "dXNlcg",
                "privateKey": private}  # fmt: skip
    passkey = passkeys.parse(json.dumps(document))
    assert passkey.public_key == public
    assert private not in repr(passkey)
    credential = passkey.virtual_credential(sign_count=7)
    assert credential == {"id": "AAEC", "rpId": "app.example.com", "userHandle": "dXNlcg",
                          "privateKey": private, "publicKey": public, "signCount": 7}  # fmt: skip


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ("[]", "not a JSON object"),
        ('{"id": "AA", "rpId": "x", "userHandle": "AA"}', "no 'privateKey'"),
        (
            '{"id": "A A", "rpId": "x", "userHandle": "AA", "privateKey": "AA"}',
            "'id' is not base64url",
        ),
        ('{"id": "AA", "rpId": "x", "userHandle": "AA", "privateKey": "AAAA"}', "not PKCS#8"),
    ],
)
def test_a_malformed_passkey_says_what_is_missing(document: str, says: str) -> None:
    with pytest.raises(passkeys.PasskeyFormError, match=says):
        passkeys.parse(document)


def test_codes_are_scrubbed_as_whole_numbers_only() -> None:
    redact.register_code("482913")
    assert redact.redact('fill "#otp" value "482913"') == f'fill "#otp" value "{redact.MASK}"'
    text = "wallTime 17324829131234, size 482913"
    assert redact.redact(text) == f"wallTime 17324829131234, size {redact.MASK}"
    assert redact.redact_bytes(b'{"t":1482913}') == b'{"t":1482913}'


def _settings(account: dict[str, object]) -> Settings:
    return Settings.model_validate(
        {"name": "x", "base_url": "https://app.example.com", "accounts": {"mfa": account}}
    )


def test_credentials_carry_the_factors_and_register_them(monkeypatch: pytest.MonkeyPatch) -> None:
    private, _ = _key_pair()
    secret = base64.b32encode(SEEDS["SHA1"]).decode()
    passkey = json.dumps(
        {"id": "AAEC", "rpId": "a.example", "userHandle": "AA", "privateKey": private}
    )
    settings = _settings({"username": "u@example.com", "password": "pa55word",
                          "totp": {"secret": secret}, "passkey": passkey})  # fmt: skip
    credentials = resolve_password("mfa", settings.accounts["mfa"])
    assert credentials.totp_secret is not None and credentials.passkey is not None
    code = credentials.totp(at=59)
    assert code == "287082"  # RFC 6238's first vector, in six digits
    assert code in redact.codes()
    assert {secret, private} <= redact.secrets()
    for text in (repr(credentials), str(credentials)):
        assert secret not in text and private not in text and "pa55word" not in text


def test_totp_without_a_secret_is_an_account_error() -> None:
    settings = _settings({"username": "u@example.com", "password": "pa55word"})
    credentials = resolve_password("mfa", settings.accounts["mfa"])
    with pytest.raises(Exception, match=r"account 'mfa' has no TOTP secret; add totp:"):
        credentials.totp()


@pytest.mark.parametrize(
    ("account", "says"),
    [
        ({"totp": {"secret": "no"}}, "(hidden: secret field): the TOTP secret is 1 bytes"),
        ({"totp": {"secret": "n0t!"}}, "(hidden: secret field): the TOTP secret is not base32"),
        (
            {"passkey": '{"id": 1}'},
            "accounts.mfa.passkey: got a value (hidden: secret field): the passkey has no 'id'",
        ),
        ({"session": {"sign_in": "nope"}}, "expected a list of steps"),
        ({"session": {"sign_in": [{"gotoo": "/"}]}}, "steps[0]: unknown step 'gotoo'"),
        (
            {"session": {"sign_in": [{"fill": {"#otp": "${account.totp}"}}]}},
            "session steps use ${account.totp} but the account has no totp:",
        ),
    ],
)
def test_config_errors_name_the_key(tmp_path, account: dict[str, object], says: str) -> None:
    from prodsmoke.config import load_settings
    from prodsmoke.errors import ConfigError

    (tmp_path / "environments").mkdir()
    mfa = {"username": "u@example.com", "password": "pa55word", **account}
    doc = {"name": "x", "base_url": "https://app.example.com", "accounts": {"mfa": mfa}}
    (tmp_path / "environments" / "x.yaml").write_text(json.dumps(doc))
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path, "x", environ={})
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_totp_variable_is_a_config_error(tmp_path) -> None:
    from prodsmoke.config import load_settings
    from prodsmoke.errors import ConfigError

    (tmp_path / "environments").mkdir()
    doc = {"name": "x", "base_url": "https://app.example.com",
           "accounts": {"mfa": {"username": "u@example.com", "password": "pa55word",
                                "totp": {"secret": "${SMOKE_TOTP_SECRET}"}}}}  # fmt: skip
    (tmp_path / "environments" / "x.yaml").write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match=r"accounts\.mfa\.totp\.secret: environment variable "
                       "SMOKE_TOTP_SECRET is not set"):  # fmt: skip
        load_settings(tmp_path, "x", environ={})


def test_accounts_check_names_an_unset_totp_variable(tmp_path) -> None:
    from prodsmoke.accounts.check import check_environment

    (tmp_path / "environments").mkdir()
    doc = {"name": "x", "base_url": "https://app.example.com", "accounts": {
        "mfa": {"username": "u@example.com", "password": "pa55word",
                "totp": {"secret": "${SMOKE_TOTP_SECRET}"}},
        "basic": {"username": "b@example.com", "password": "pa55word"}}}  # fmt: skip
    (tmp_path / "environments" / "x.yaml").write_text(json.dumps(doc))
    checks = {c.name: c for c in check_environment(tmp_path, "x", {})}
    assert checks["basic"].ok
    assert checks["mfa"].problem == (
        "totp.secret: environment variable SMOKE_TOTP_SECRET is not set; expected it exported "
        "(referenced as ${SMOKE_TOTP_SECRET})"
    )
    ok = check_environment(tmp_path, "x", {"SMOKE_TOTP_SECRET": "JBSWY3DPEHPK3PXP"})
    assert all(c.ok for c in ok)
    from prodsmoke.errors import ConfigError

    with pytest.raises(ConfigError, match="hidden: secret field"):  # a malformed one: the file's
        check_environment(tmp_path, "x", {"SMOKE_TOTP_SECRET": "JBSWY3DPEHPK3PX!"})
