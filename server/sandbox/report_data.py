"""Deterministic usage data for the sandbox organization, the source of the usage and cost reports.

Usage comes from *streams*: one per (API key, model, service tier, context window, speed), plus Console use
(no key, Default workspace). A stream's hours derive from one hash of (stream, UTC day), and its minutes
from an exact integer split of the hour, so any window gives the same figures every time and the bucket
widths agree exactly: a day is the sum of its 24 hours, an hour the sum of its 60 minutes. Hours that have
not ended yet (by the sandbox clock) have no usage.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claude_api_mcp.sandbox.org import OrgState

UTC = timezone.utc
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
WIDTHS = {"1d": DAY, "1h": HOUR, "1m": timedelta(minutes=1)}

# uncached input, 5m cache write, 1h cache write, cache read, output, web search requests
Usage = tuple[int, int, int, int, int, int]
ZERO: Usage = (0, 0, 0, 0, 0, 0)
GROUP_FIELDS = (
    "api_key_id",
    "workspace_id",
    "model",
    "service_tier",
    "context_window",
    "inference_geo",
    "account_id",
    "service_account_id",
)

# Activity by UTC hour of day (the team works European and American hours).
_DIURNAL = (3, 2, 2, 2, 2, 3, 4, 6, 8, 10, 11, 12, 12, 12, 11, 10, 10, 9, 8, 7, 6, 5, 4, 3)
# model → tokens per request: input, output, cache read
_SHAPE = {
    "claude-opus-4-6": (3200, 900, 6000),
    "claude-sonnet-4-6": (2600, 700, 5000),
    "claude-sonnet-4-5": (2400, 650, 3000),
    "claude-haiku-4-5": (1200, 300, 1500),
}
_GEO_MODELS = ("claude-opus-4-6", "claude-sonnet-4-6")  # models before Opus 4.6 report not_available
# model, service tier, context window, speed, relative volume
_PROFILES = (
    ("claude-sonnet-4-6", "standard", "0-200k", "standard", 10),
    ("claude-haiku-4-5", "standard", "0-200k", "standard", 12),
    ("claude-opus-4-6", "standard", "0-200k", "standard", 4),
    ("claude-sonnet-4-6", "batch", "0-200k", "standard", 6),
    ("claude-haiku-4-5", "batch", "0-200k", "standard", 8),
    ("claude-opus-4-6", "priority", "0-200k", "standard", 3),
    ("claude-sonnet-4-6", "standard", "200k-1M", "standard", 1),
    ("claude-opus-4-6", "standard", "0-200k", "fast", 1),
    ("claude-sonnet-4-5", "standard", "0-200k", "standard", 3),
)
_KEY_VOLUME = (("prod", 40), ("ml-", 25), ("legacy", 12), ("research", 10), ("eval", 8), ("staging", 6))


def digest(text: str, size: int) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=size).digest()


@dataclass(frozen=True)
class Stream:
    seed: str
    api_key_id: str | None
    workspace_id: str | None  # None: the Default workspace, as the report shows it
    model: str
    service_tier: str
    context_window: str
    inference_geo: str
    speed: str
    scale: int
    activity: int  # of 256: the share of hours with traffic
    web_search: bool
    since: datetime | None = None  # no usage before (the key's creation)
    until: datetime | None = None  # no usage from (keys that are no longer active went quiet)

    def dim(self, name: str) -> str | None:
        value: str | None = getattr(self, name, None)  # account_id, service_account_id: not simulated
        return value


def build_streams(org: OrgState, started: datetime) -> list[Stream]:
    streams = [
        _stream("console|sonnet", None, None, _PROFILES[0], 30, "global", web_search=True),
        _stream("console|opus", None, None, _PROFILES[2], 8, "global", web_search=False),
    ]
    for key in org.api_keys.values():
        name: str = key["name"]
        ws_id: str = (key.get("scope") or {}).get("workspace_id") or ""
        geos = org.workspaces.get(ws_id, {}).get("data_residency", {}).get("allowed_inference_geos")
        volume = next((v for prefix, v in _KEY_VOLUME if name.startswith(prefix)), 2)
        h = digest(name, 32)
        picks = [p for i, p in enumerate(_PROFILES) if h[i] < 80] or [_PROFILES[h[0] % 3], _PROFILES[3 + h[1] % 6]]
        since = datetime.fromisoformat(key["created_at"].replace("Z", "+00:00"))
        until = None if key["status"] == "active" else started - timedelta(days=30 + h[30] % 20)
        for n, profile in enumerate(picks):
            geo = ("us" if geos == ["us"] or h[20 + n] < 60 else "global") if profile[0] in _GEO_MODELS else "n/a"
            stream = _stream(
                f"{key['id']}|{n}",
                key["id"],
                None if ws_id in ("", org.default_workspace_id) else ws_id,
                profile,
                volume * profile[4],
                geo,
                web_search=profile[1] == "standard" and h[12 + n] < 100,
            )
            streams.append(_with_dates(stream, since, until))
    return streams


def _stream(
    seed: str,
    key_id: str | None,
    ws_id: str | None,
    profile: tuple[str, str, str, str, int],
    scale: int,
    geo: str,
    *,
    web_search: bool,
) -> Stream:
    model, tier, context, speed, _ = profile
    return Stream(
        seed=seed,
        api_key_id=key_id,
        workspace_id=ws_id,
        model=model,
        service_tier=tier,
        context_window=context,
        inference_geo="not_available" if geo == "n/a" else geo,
        speed=speed,
        scale=scale,
        activity=min(250, 110 + scale // 2),
        web_search=web_search,
    )


def _with_dates(stream: Stream, since: datetime, until: datetime | None) -> Stream:
    return Stream(**{**stream.__dict__, "since": since, "until": until})


def _hour(s: Stream, hour_of_day: int, weekend: bool, a: int, j: int) -> Usage:
    if a >= s.activity:
        return ZERO
    requests = s.scale * _DIURNAL[hour_of_day] * (128 + j) // 2560
    if weekend:
        requests = requests * 2 // 5
    if requests == 0:
        return ZERO
    inp, out, cread = _SHAPE[s.model]
    if s.context_window == "200k-1M":
        inp *= 90
    cache_read = requests * cread * (1 + j % 4) // 4 // (3 if s.service_tier == "batch" else 1)
    write_5m = requests * inp * (j % 3) // 6
    write_1h = requests * inp // 5 if j % 11 == 0 else 0
    uncached = requests * inp + (j * 131) % 997
    output = requests * out + (a * 17) % 401
    web = requests // 15 if s.web_search else 0
    return (uncached, write_5m, write_1h, cache_read, output, web)


@functools.lru_cache(maxsize=65_536)
def day_hours(s: Stream, day: date) -> tuple[Usage, ...]:
    """The stream's 24 hours of ``day`` (UTC), ignoring the clock."""
    bits = digest(f"{s.seed}|{day.isoformat()}", 48)
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    weekend = day.weekday() >= 5
    hours = []
    for h in range(24):
        moment = start + h * HOUR
        if (s.since and moment < s.since) or (s.until and moment >= s.until):
            hours.append(ZERO)
        else:
            hours.append(_hour(s, h, weekend, bits[2 * h], bits[2 * h + 1]))
    return tuple(hours)


@functools.lru_cache(maxsize=65_536)
def day_total(s: Stream, day: date) -> Usage:
    return add_all(day_hours(s, day))


@functools.lru_cache(maxsize=8_192)
def hour_minutes(s: Stream, hour: datetime) -> tuple[Usage, ...]:
    """An exact split of the hour into 60 minutes: floor(v * cumulative weight / total) differences."""
    usage = day_hours(s, hour.date())[hour.hour]
    if usage == ZERO:
        return (ZERO,) * 60
    weights = [b if b >= 96 else 0 for b in digest(f"{s.seed}|{hour.isoformat()}|m", 60)]
    if not any(weights):
        weights[0] = 1
    cum = [0]
    for w in weights:
        cum.append(cum[-1] + w)
    total = cum[-1]
    parts = [[v * cum[i + 1] // total - v * cum[i] // total for i in range(60)] for v in usage]
    return tuple(zip(*parts, strict=True))


def add_all(items: Iterator[Usage] | tuple[Usage, ...] | list[Usage]) -> Usage:
    acc = [0] * 6
    for u in items:
        for i, v in enumerate(u):
            acc[i] += v
    return (acc[0], acc[1], acc[2], acc[3], acc[4], acc[5])


def usage_in(s: Stream, start: datetime, width: str, now: datetime) -> Usage:
    """The stream's usage in the bucket of ``width`` starting at ``start``; hours not yet ended count zero."""
    if width == "1d":
        if start + DAY <= now:
            return day_total(s, start.date())
        hours = day_hours(s, start.date())
        return add_all([u for h, u in enumerate(hours) if start + (h + 1) * HOUR <= now])
    hour = start.replace(minute=0)
    if hour + HOUR > now:
        return ZERO
    if width == "1h":
        return day_hours(s, start.date())[start.hour]
    return hour_minutes(s, hour)[start.minute]
