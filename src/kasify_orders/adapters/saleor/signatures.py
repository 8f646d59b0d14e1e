"""Checking ``Saleor-Signature`` on a webhook's raw body, before anything reads the body.

Saleor signs every webhook with a detached JWS (RFC 7515 compact form with an empty payload
part, RS256, and the RFC 7797 ``b64: false`` option, so the signing input is the protected
header, a dot and the body's exact bytes). The public keys are served as a JWKS at
``<origin of the Saleor API URL>/.well-known/jwks.json``. The keys are cached per
installation by key id; a signature naming a key id the cache does not hold makes one fresh
fetch (Saleor rotated its key), and a second unknown key id within
``min_refetch_seconds`` makes none, so forged key ids cannot turn the app into a JWKS
fetching loop. Webhooks configured with a secret key are signed the legacy way instead: the
hex HMAC-SHA256 of the body; :class:`SignatureVerifier` accepts that only when it was given
the secret.

The cryptography is joserfc's (RSA through ``cryptography``); nothing here is hand-rolled
except the constant-time comparison of the legacy HMAC.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import urllib.request
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from kasify_orders.adapters.saleor.installations import Installation, Installations
from kasify_orders.model import utcnow

__all__ = [
    "FetchJson",
    "SignatureError",
    "SignatureVerifier",
    "fetch_json",
    "jwks_url",
    "legacy_signature",
]

log = logging.getLogger(__name__)

#: ``fetch(url) -> parsed JSON``: how JWKS documents are fetched (a test may pass its own).
FetchJson = Callable[[str], Any]

#: The only algorithm Saleor signs with; anything else is refused (no "alg: none", no HS256 confusion).
ALGORITHM = "RS256"
_MAX_DOCUMENT = 1_000_000


class SignatureError(Exception):
    """The webhook is not proven to come from the installed Saleor; the message says why."""


def jwks_url(api_url: str) -> str:
    """Where the Saleor behind *api_url* publishes its signing keys."""
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}/.well-known/jwks.json"


def fetch_json(url: str, *, timeout: float = 10.0) -> Any:
    """GET *url* and parse its JSON body (at most 1 MB); raises ``OSError`` or ``ValueError``."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read(_MAX_DOCUMENT + 1)
    if len(body) > _MAX_DOCUMENT:
        raise ValueError(f"{url} answered with more than {_MAX_DOCUMENT} bytes")
    return json.loads(body)


def legacy_signature(body: bytes, secret: str) -> str:
    """The legacy ``Saleor-Signature`` of *body*: hex HMAC-SHA256 keyed with the webhook's secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _b64url_json(part: str) -> Any:
    padded = part + "=" * (-len(part) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))


def _protected_header(signature: str) -> dict[str, Any]:
    """The JWS protected header, checked for the exact form Saleor produces (not yet verified)."""
    parts = signature.split(".")
    if len(parts) != 3:
        raise SignatureError("Saleor-Signature is not a compact JWS (expected header..signature)")
    if parts[1]:
        raise SignatureError("Saleor-Signature must be a detached JWS (its payload part must be empty)")
    try:
        header = _b64url_json(parts[0])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise SignatureError("Saleor-Signature has an unreadable JWS header") from None
    if not isinstance(header, dict):
        raise SignatureError("Saleor-Signature has an unreadable JWS header")
    if header.get("alg") != ALGORITHM:
        raise SignatureError(f"Saleor-Signature must use {ALGORITHM}, not {header.get('alg')!r}")
    if header.get("b64") is not False or "b64" not in (header.get("crit") or []):
        raise SignatureError('Saleor-Signature must sign the raw body ("b64": false, "crit": ["b64"])')
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise SignatureError("Saleor-Signature names no key id (kid)")
    return header


def _key(jwks: Mapping[str, Any] | None, kid: str) -> RSAKey | None:
    if not jwks:
        return None
    for entry in jwks.get("keys", []):
        if isinstance(entry, Mapping) and entry.get("kid") == kid:
            try:
                key = KeySet.import_key_set({"keys": [dict(entry)]}).keys[0]
            except (JoseError, ValueError, TypeError) as error:
                raise SignatureError(f"the JWKS key {kid!r} cannot be used: {error}") from None
            if not isinstance(key, RSAKey):
                raise SignatureError(f"the JWKS key {kid!r} is not an RSA key")
            return key
    return None


class SignatureVerifier:
    """Verifies webhook signatures for installed Saleor instances, keeping their JWKS cached."""

    def __init__(
        self,
        installations: Installations,
        *,
        fetch: FetchJson = fetch_json,
        legacy_secret: str | None = None,
        min_refetch_seconds: float = 10.0,
    ) -> None:
        self.installations = installations
        self.fetch = fetch
        self.legacy_secret = legacy_secret
        self.min_refetch_seconds = min_refetch_seconds

    def fetch_jwks(self, api_url: str) -> Mapping[str, Any]:
        """Fetch the JWKS of the Saleor at *api_url*; raises :class:`SignatureError` when unusable."""
        url = jwks_url(api_url)
        try:
            document = self.fetch(url)
        except (OSError, ValueError) as error:
            raise SignatureError(f"could not fetch the signing keys from {url}: {error}") from None
        if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
            raise SignatureError(f"{url} did not answer with a JWKS ({{'keys': [...]}})")
        return document

    def verify(self, installation: Installation, body: bytes, signature: str) -> None:
        """Raise :class:`SignatureError` unless *signature* proves *installation* sent *body*."""
        signature = signature.strip()
        if not signature:
            raise SignatureError("the Saleor-Signature header is missing")
        if "." not in signature:
            self._verify_legacy(body, signature)
            return
        header = _protected_header(signature)
        kid = header["kid"]
        key = _key(installation.jwks, kid)
        if key is None:
            key = self._refetched_key(installation, kid)
        try:
            jws.deserialize_compact(signature, key, algorithms=[ALGORITHM], payload=body)
        except (JoseError, ValueError) as error:
            raise SignatureError(f"the signature does not match the body ({type(error).__name__})") from None

    def _verify_legacy(self, body: bytes, signature: str) -> None:
        if self.legacy_secret is None:
            raise SignatureError(
                "Saleor-Signature is not a JWS, and no legacy webhook secret is configured to check an HMAC"
            )
        expected = legacy_signature(body, self.legacy_secret)
        if not hmac.compare_digest(expected, signature.lower()):
            raise SignatureError("the HMAC-SHA256 signature does not match the body")

    def _refetched_key(self, installation: Installation, kid: str) -> RSAKey:
        fetched_at = installation.jwks_fetched_at
        recent = fetched_at is not None and utcnow() - fetched_at < timedelta(
            seconds=self.min_refetch_seconds
        )
        if recent:
            raise SignatureError(f"unknown signing key {kid!r} (the keys were fetched moments ago)")
        log.info("unknown signing key %s from %s: fetching its JWKS again", kid, installation.api_url)
        jwks = self.fetch_jwks(installation.api_url)
        self.installations.save_jwks(installation.api_url, jwks)
        key = _key(jwks, kid)
        if key is None:
            raise SignatureError(
                f"unknown signing key {kid!r}: {jwks_url(installation.api_url)} does not list it"
            )
        return key
