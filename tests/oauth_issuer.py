"""A local OAuth issuer for tests: RFC 8414 metadata, a JWKS whose keys can rotate, and signed JWTs."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

AUDIENCE = "https://mcp.example.test/mcp"


def new_key() -> tuple[str, rsa.RSAPrivateKey]:
    return uuid.uuid4().hex[:12], rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Issuer:
    url: str = "http://127.0.0.1:1"  # set once served
    keys: list[tuple[str, rsa.RSAPrivateKey]] = field(default_factory=lambda: [new_key()])
    jwks_fetches: int = 0

    def rotate(self, *, keep_old: bool = False) -> None:
        self.keys = [new_key(), *(self.keys if keep_old else [])]

    def jwks(self) -> dict[str, Any]:
        entries = []
        for kid, key in self.keys:
            entry = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            entries.append({**entry, "kid": kid, "use": "sig", "alg": "RS256"})
        return {"keys": entries}

    def token(
        self,
        sub: str = "user-ada",
        scope: str = "claude-api:read",
        *,
        email: str | None = "ada@example.com",
        client: str = "claude-desktop",
        issuer: str | None = None,
        audience: str = AUDIENCE,
        expires_in: int = 300,
        key: tuple[str, rsa.RSAPrivateKey] | None = None,
        kid: str | None = None,
    ) -> str:
        signing_kid, signing_key = key or self.keys[0]
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer or self.url,
            "sub": sub,
            "aud": audience,
            "iat": now,
            "exp": now + expires_in,
            "scope": scope,
            "azp": client,
        }
        if email is not None:
            claims["email"] = email
        return jwt.encode(claims, signing_key, algorithm="RS256", headers={"kid": kid or signing_kid})

    def app(self) -> Starlette:
        async def metadata(_: Request) -> JSONResponse:
            return JSONResponse({"issuer": self.url, "jwks_uri": f"{self.url}/jwks", "response_types_supported": []})

        async def jwks(_: Request) -> JSONResponse:
            self.jwks_fetches += 1
            return JSONResponse(self.jwks())

        return Starlette(
            routes=[
                Route("/.well-known/oauth-authorization-server", metadata),
                Route("/jwks", jwks),
            ]
        )
