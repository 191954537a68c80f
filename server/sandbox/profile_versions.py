"""User profiles as each ``user-profiles-*`` beta version reads and writes them (the SDK's ``beta.user_profiles``).

The catalog holds the GA shape (``UserProfile``, sent with no user-profiles beta header). The SDK's
``beta.user_profiles`` methods send ``user-profiles-2026-08-18`` and read ``BetaUserProfile``, which the API
serves differently, as the SDK documents field by field:

- under ``2026-09-04`` and earlier: no ``enforcement_actions``/``enforcement_status``/``programs``; the
  ``trust_grants`` map instead (keyed by grant name; empty when no grant is active or in flight);
- under ``2026-08-18`` and ``2026-03-24``: no ``external_user_details``; its ``reference_id`` is the top-level
  ``external_id``, and under ``2026-08-18`` its ``onboarded_at`` is ``external_user_onboarded_at``;
- under ``2026-03-24``: no ``access_type``.

Requests under the two oldest versions send ``external_id``/``external_user_onboarded_at``; they are stored as
the GA fields they stand for, so every version reads the same profile.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse, Response

PATH_PREFIX = "/v1/user_profiles"
VERSIONS = ("user-profiles-2026-03-24", "user-profiles-2026-08-18", "user-profiles-2026-09-04")
_NEWER_ONLY = ("enforcement_actions", "enforcement_status", "programs")
_LEGACY_FIELDS = {"external_id": "reference_id", "external_user_onboarded_at": "onboarded_at"}


def profile_version(path: str, beta_header: str | None) -> str | None:
    """The user-profiles beta version a request to a profile path asks for (the newest it names), or None (GA)."""
    if not path.startswith(PATH_PREFIX):
        return None
    sent = {v.strip() for v in (beta_header or "").split(",")}
    named = [v for v in VERSIONS if v in sent]
    return named[-1] if named else None


def legacy_body(version: str | None, body: dict[str, Any]) -> dict[str, Any]:
    """A legacy request's ``external_id``/``external_user_onboarded_at`` as the GA ``external_user_details``."""
    if version not in VERSIONS[:2] or not any(name in body for name in _LEGACY_FIELDS):
        return body
    body = dict(body)
    details = dict(body.get("external_user_details") or {})
    for legacy, current in _LEGACY_FIELDS.items():
        if legacy in body:
            details[current] = body.pop(legacy)
    body["external_user_details"] = details
    return body


def as_version(version: str | None, profile: dict[str, Any]) -> dict[str, Any]:
    """The GA object ``profile`` as the beta ``version`` serves it (unchanged for GA)."""
    if version is None or profile.get("type") != "user_profile":
        return profile
    out = {k: v for k, v in profile.items() if k not in _NEWER_ONLY}
    out["trust_grants"] = {}  # no grant is active or in flight on a sandbox profile
    if version in VERSIONS[:2]:
        details = out.pop("external_user_details", None) or {}
        out["external_id"] = details.get("reference_id")
        if version == VERSIONS[1]:
            out["external_user_onboarded_at"] = details.get("onboarded_at")
        else:
            out.pop("access_type", None)
    return out


def versioned(response: Response, version: str) -> Response:
    """A user profile (or a page of them) as the requested ``user-profiles-*`` beta version serves it."""
    if not isinstance(response, JSONResponse):
        return response
    answer = json.loads(bytes(response.body))
    if isinstance(answer.get("data"), list):
        answer["data"] = [as_version(version, item) for item in answer["data"]]
    else:
        answer = as_version(version, answer)
    return JSONResponse(answer, status_code=response.status_code)
