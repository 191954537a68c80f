"""OAuth 2.1 resource-server mode: bearer JWTs from the organization's identity provider.

A token is accepted when its signature verifies against the issuer's JWKS (fetched once, cached, and
fetched again when a token names a key id the cache does not hold: the issuer rotated its keys), and its
``iss``, ``aud`` and ``exp`` are right. Its scopes pick the caller's profile: ``claude-api:admin`` → the
admin profile's tools, ``claude-api:read`` → the read-only profile's, never beyond ``--profile``.

Validation is PyJWT's (signature, expiry, issuer, audience); only asymmetric algorithms are accepted, so a
token can never be checked against a public key used as an HMAC secret.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import jwt
from jwt import PyJWK

from claude_api_mcp.core.config import Profile, Settings
from claude_api_mcp.core.identity import Caller

log = logging.getLogger("claude_api_mcp")

READ_SCOPE = "claude-api:read"
ADMIN_SCOPE = "claude-api:admin"
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LEEWAY_S = 30  # clock skew between the issuer and this machine
JWKS_MIN_REFRESH_S = 30.0  # an unknown kid refetches the JWKS at most this often (a flood of made-up kids)
JWKS_MAX_AGE_S = 3600.0  # keys are refetched at least hourly, so a revoked key stops working


class AuthFailure(Exception):
    """A token that is not accepted. ``error`` is the RFC 6750 code; the message is safe to return."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def resource_url(settings: Settings) -> str:
    """This server's resource identifier: the audience tokens must carry."""
    if settings.oauth_audience:
        return settings.oauth_audience
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return f"http://{host}:{settings.port}/mcp"


def profile_for(scopes: frozenset[str], ceiling: Profile) -> Profile | None:
    """The profile the scopes grant, capped at the server's own ``--profile``; None when they grant nothing."""
    if ADMIN_SCOPE in scopes:
        return ceiling
    if READ_SCOPE in scopes:
        return Profile.READ_ONLY
    return None


def scopes_of(claims: dict[str, Any]) -> frozenset[str]:
    raw = claims.get("scope", claims.get("scp", ""))
    if isinstance(raw, str):
        return frozenset(raw.split())
    if isinstance(raw, list):
        return frozenset(str(s) for s in raw)
    return frozenset()


class JWKSCache:
    """The issuer's signing keys by kid, from its JWKS document."""

    def __init__(self, client: httpx.AsyncClient, issuer: str, jwks_url: str | None, *, min_refresh: float) -> None:
        self._client = client
        self._issuer = issuer
        self._jwks_url = jwks_url
        self._min_refresh = min_refresh
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = anyio.Lock()

    async def key(self, kid: str) -> PyJWK | None:
        stale = time.monotonic() - self._fetched_at > JWKS_MAX_AGE_S
        if kid not in self._keys or stale:
            async with self._lock:  # one fetch for many concurrent requests naming the same new kid
                since = time.monotonic() - self._fetched_at
                if (kid not in self._keys and since >= self._min_refresh) or since > JWKS_MAX_AGE_S:
                    await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        self._fetched_at = time.monotonic()  # also on failure: a dead issuer is not hammered
        try:
            url = self._jwks_url or await self._discover()
            response = await self._client.get(url)
            response.raise_for_status()
            keys: dict[str, PyJWK] = {}
            for entry in response.json().get("keys", []):
                if isinstance(entry, dict) and entry.get("kid") and entry.get("use", "sig") == "sig":
                    try:
                        keys[str(entry["kid"])] = PyJWK.from_dict(entry)
                    except jwt.PyJWTError:
                        continue  # a key of a type we do not verify with; the others still count
            self._keys = keys
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            log.warning("could not fetch the issuer's signing keys: %s", type(exc).__name__)

    async def _discover(self) -> str:
        """``jwks_uri`` from RFC 8414 metadata, else OpenID Connect discovery."""
        base = self._issuer.rstrip("/")
        for path in ("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"):
            response = await self._client.get(base + path)
            if response.status_code == 200 and isinstance(uri := response.json().get("jwks_uri"), str):
                self._jwks_url = uri
                return uri
        raise ValueError("no jwks_uri in the issuer's metadata")


@dataclass
class JWTVerifier:
    issuer: str
    audience: str
    ceiling: Profile
    jwks: JWKSCache

    async def verify(self, token: str) -> Caller:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthFailure("invalid_token", "The token is not a JWT.") from None
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in ALGORITHMS:
            raise AuthFailure("invalid_token", "The token's algorithm is not accepted.")
        key = await self.jwks.key(str(kid)) if kid else None
        if key is None:
            raise AuthFailure("invalid_token", "The token is signed with a key the issuer does not publish.")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[str(alg)],
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthFailure("invalid_token", "The token has expired.") from None
        except jwt.InvalidAudienceError:
            raise AuthFailure("invalid_token", "The token was issued for another resource (aud).") from None
        except jwt.InvalidIssuerError:
            raise AuthFailure("invalid_token", "The token was issued by another issuer (iss).") from None
        except jwt.PyJWTError:
            raise AuthFailure("invalid_token", "The token's signature or claims are not valid.") from None
        scopes = scopes_of(claims)
        profile = profile_for(scopes, self.ceiling)
        if profile is None:
            raise AuthFailure("insufficient_scope", f"The token needs the scope {READ_SCOPE} or {ADMIN_SCOPE}.")
        email = claims.get("email")
        client = claims.get("azp") or claims.get("client_id")
        return Caller(
            subject=str(claims["sub"]),
            email=str(email) if isinstance(email, str) else None,
            client_id=str(client) if client else None,
            profile=profile.value,
        )


def verifier(settings: Settings, client: httpx.AsyncClient, *, min_refresh: float = JWKS_MIN_REFRESH_S) -> JWTVerifier:
    assert settings.oauth_issuer is not None
    jwks = JWKSCache(client, settings.oauth_issuer, settings.oauth_jwks_url, min_refresh=min_refresh)
    return JWTVerifier(settings.oauth_issuer, resource_url(settings), settings.profile, jwks)


def metadata_document(settings: Settings) -> bytes:
    """RFC 9728 protected-resource metadata: which authorization server issues tokens for this resource."""
    assert settings.oauth_issuer is not None
    scopes = [READ_SCOPE, ADMIN_SCOPE] if settings.profile is Profile.ADMIN else [READ_SCOPE]
    return json.dumps(
        {
            "resource": resource_url(settings),
            "authorization_servers": [settings.oauth_issuer],
            "scopes_supported": scopes,
            "bearer_methods_supported": ["header"],
            "resource_name": "Claude API (claude-api-mcp)",
        }
    ).encode()


def metadata_path(settings: Settings) -> str:
    """RFC 9728 §3.1: the well-known prefix inserted before the resource's path."""
    path = httpx.URL(resource_url(settings)).path.rstrip("/")
    return "/.well-known/oauth-protected-resource" + path


def metadata_url(settings: Settings) -> str:
    url = httpx.URL(resource_url(settings))
    return str(url.copy_with(path=metadata_path(settings), query=None, fragment=None))
