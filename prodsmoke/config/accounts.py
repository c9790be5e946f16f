"""What an account may carry besides its password (SPEC §16): a TOTP secret, a passkey, and a
`session:` — how to sign in once per run and out at its end.

    accounts:
      mfa:
        username: smoke-test-mfa@betterprompts.com
        password: "${SMOKE_TEST_PASSWORD}"
        totp: {secret: "${SMOKE_TOTP_SECRET}"}      # base32 or otpauth://, or an AWS reference
        passkey: {aws_secret: prod/smoke/passkey}    # the JSON `smoke accounts passkey` prints
        session:
          sign_in: [{goto: /login}, …]               # YAML steps, or "module:function" of the
          sign_out: [{click: "#logout-button"}]      # journey files (see SessionSteps)

A `${VAR}` secret's form is checked here, when the file loads (a one-line configuration error
that never quotes it); one in AWS is checked when a run reads it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, PlainValidator, SecretStr, field_validator

from prodsmoke.config import passkey as passkeys
from prodsmoke.config import totp as totps
from prodsmoke.config.fields import StrictModel
from prodsmoke.config.interpolate import PLACEHOLDER
from prodsmoke.config.kinds.steps import ACCOUNT_REF, Step, parse_step
from prodsmoke.config.secret_refs import SecretRef

if TYPE_CHECKING:
    from collections.abc import Callable

FUNCTION_REF = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*$")


class Totp(StrictModel):
    """A TOTP second factor (RFC 6238): where its shared secret is, and the code's shape."""

    secret: SecretRef = Field(
        description="'${VAR}' (base32, e.g. JBSWY3DPEHPK3PXP, or an otpauth://totp/ URI), "
        "{aws_secret: NAME, key: K} or {ssm_parameter: NAME}"
    )
    digits: int = Field(6, ge=6, le=8, description="digits per code, 6-8 (an otpauth URI's win)")
    period_s: int = Field(30, ge=10, le=120, description="seconds per code, 10-120")
    algorithm: Literal["SHA1", "SHA256", "SHA512"] = "SHA1"

    @field_validator("secret")
    @classmethod
    def _form(cls, value: SecretRef) -> SecretRef:
        return _well_formed(value, totps.parse, totps.TotpFormError)


def validate_passkey(value: SecretRef) -> SecretRef:
    """A `${VAR}` passkey must be the JSON document (checked without quoting it)."""
    return _well_formed(value, passkeys.parse, passkeys.PasskeyFormError)


def _well_formed(
    value: SecretRef, parse: Callable[[str], object], error: type[Exception]
) -> SecretRef:
    """`value` as it is, when `parse` takes a `${VAR}` secret (an unset variable's placeholder
    and AWS references are checked later); its error, never quoting the secret, otherwise."""
    if isinstance(value, SecretStr) and value.get_secret_value() != PLACEHOLDER:
        try:
            parse(value.get_secret_value())
        except error as exc:
            raise ValueError(str(exc)) from None
    return value


def _steps(value: object) -> tuple[Step, ...] | str:
    """A list of YAML steps (config.kinds.steps), or 'module:function' of the journey files."""
    if isinstance(value, str):
        if not FUNCTION_REF.match(value):
            raise ValueError(
                f"got {value!r}; expected a list of steps (e.g. [{{goto: /login}}, …]) or "
                "'module:function' of a journey file (e.g. sessions:sign_in)"
            )
        return value
    if isinstance(value, tuple) and all(isinstance(s, Step) for s in value):
        return value
    if not isinstance(value, list) or not value:
        raise ValueError(
            "expected a list of steps, e.g. [{goto: /login}, {click: '#login-button'}], "
            "or 'module:function' of a journey file"
        )
    steps = []
    for index, raw in enumerate(value):
        try:
            steps.append(parse_step(raw))
        except ValueError as exc:
            raise ValueError(f"steps[{index}]: {exc}") from None
    return tuple(steps)


SessionSteps = Annotated[tuple[Step, ...] | str, PlainValidator(_steps)]


class AccountSession(StrictModel):
    """Sign in once per run, before the first journey on the account; out at the run's end."""

    sign_in: SessionSteps
    sign_out: SessionSteps | None = None
    timeout_s: float = Field(
        20.0, gt=0, le=300, description="seconds the sign-in (or sign-out) may take, a number > 0"
    )
    expected_requests: int = Field(
        20, ge=1, le=10_000, description="requests a sign-in sends (reserved from the rate budget)"
    )

    def uses(self, field: str) -> bool:
        """Whether a step fills `${account.<field>}`."""
        return any(
            field in ACCOUNT_REF.findall(text)
            for steps in (self.sign_in, self.sign_out)
            if isinstance(steps, tuple)
            for step in steps
            if not isinstance(step.value, str)
            for _, text in step.value
        )
