"""The safety class of every catalog operation: read, write or destructive, plus whether its answer carries
credentials and whether calling it changes anything upstream.

The HTTP method alone is not enough (issue 19): ``beta.environments.work.poll`` is a GET that dequeues work
and answers with the worker's ``secret``. So a class is derived from what the SDK says, in this order:

1. the generator's ``writes`` flag (every method but GET/HEAD, except ``count_tokens``), DELETE → destructive;
2. a GET whose last id word is a queue or credential verb (poll, claim, lease, ack...) has side effects,
   so it is a write: fail closed for such operations the SDK adds later;
3. the answer's JSON Schema: a field reviewed as a credential (``secret``, ``signing_secret``...) or any field
   that looks like one and was not reviewed yet (fail closed) marks the operation as returning credentials;
4. the reviewed decisions in ``safety_reviewed.py`` have the last word, each with its one-line reason.

``tests/client/test_catalog_safety.py`` fails when an operation or answer field matches the review patterns
and no decision is recorded, so a regenerated catalog cannot slip a new one through unreviewed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from claude_api_mcp.client.catalog.safety_reviewed import CREDENTIAL_FIELDS, NOT_CREDENTIAL_FIELDS, OPERATIONS

SafetyClass = Literal["read", "write", "destructive"]
_WORD = re.compile(r"[^a-z0-9]+")
# A GET ending in one of these takes something off a queue, extends a hold on it or mints a secret.
SIDE_EFFECT_VERBS = frozenset(
    {"poll", "claim", "lease", "ack", "nack", "heartbeat", "dequeue", "pop", "consume", "checkout", "reveal", "rotate"}
)
# Words in an operation's id or path that need a recorded decision (singular form).
REVIEW_WORDS = SIDE_EFFECT_VERBS | {
    "secret",
    "token",
    "credential",
    "key",
    "password",
    "regenerate",
    "sign",
    "signing",
    "certificate",
    "cert",
    "enrollment",
    "private",
}
# Words in an answer field's name that may mean it carries a credential.
FIELD_WORDS = frozenset(
    {"secret", "token", "password", "passcode", "credential", "key", "private", "cert", "certificate", "pem", "jwt"}
)
_NOT_A_VALUE = ("integer", "number", "boolean")  # token counts, flags: never a credential


@dataclass(frozen=True)
class Safety:
    cls: SafetyClass
    side_effects: bool  # calling it changes something upstream (every write; a GET that dequeues)
    credentials: tuple[str, ...]  # answer fields that carry credentials; empty when none
    reason: str  # where the class came from: the method, or the reviewed decision's reason

    @property
    def writes(self) -> bool:
        return self.cls != "read"

    @property
    def plain_read(self) -> bool:
        """Safe to call for anyone allowed to read, and for a dry run's look at the current state."""
        return self.cls == "read" and not self.side_effects and not self.credentials


def words(text: str) -> set[str]:
    """The words of an id, path or field name, singular (``api_keys`` → {api, key})."""
    return {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in _WORD.split(text.lower()) if w}


@functools.cache
def _credential_like(name: str) -> bool:
    """Cached: the same few hundred field names recur across the ~290 answers (load time stays small)."""
    return not name.endswith(("_id", "_ids")) and bool(words(name) & FIELD_WORDS)


def suspicious(name: str, schema: Mapping[str, Any]) -> bool:
    """An answer field whose name looks like a credential: not an id, a count or a flag."""
    if not _credential_like(name):
        return False
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    kinds += [option.get("type") for option in schema.get("anyOf") or () if isinstance(option, Mapping)]
    return not any(k in _NOT_A_VALUE for k in kinds)


def fields(schema: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every named field of a JSON Schema, at any depth (objects, arrays, unions, maps). Iterative, on plain
    dicts: it runs over every answer schema when the catalog loads."""
    out: list[tuple[str, dict[str, Any]]] = []
    stack = [schema] if type(schema) is dict else []
    while stack:
        node = stack.pop()
        for name, sub in (node.get("properties") or {}).items():
            if type(sub) is dict:
                out.append((str(name), sub))
                stack.append(sub)
        for key in ("items", "additionalProperties"):
            if type(sub := node.get(key)) is dict:
                stack.append(sub)
        for key in ("anyOf", "oneOf", "allOf"):
            stack.extend(option for option in node.get(key) or () if type(option) is dict)
    return out


def needs_review(op_id: str, path: str) -> bool:
    return bool(words(f"{op_id} {path}") & REVIEW_WORDS)


def classify(op_id: str, method: str, path: str, writes: bool, response: Mapping[str, Any]) -> Safety:
    side_effects, reason = writes, method
    last = words(op_id.rpartition(".")[2])
    if not writes and method == "GET" and last & SIDE_EFFECT_VERBS:
        side_effects, reason = True, f"GET that {'/'.join(sorted(last & SIDE_EFFECT_VERBS))}s"
    found = sorted(
        {
            name
            for name, sub in fields(response.get("fields"))
            if name in CREDENTIAL_FIELDS or (suspicious(name, sub) and name not in NOT_CREDENTIAL_FIELDS)
        }
    )
    cls: SafetyClass = "destructive" if method == "DELETE" else "write" if side_effects else "read"
    if (decision := OPERATIONS.get(op_id)) is not None:
        cls = decision.cls or cls
        side_effects = side_effects if decision.side_effects is None else decision.side_effects
        if decision.credentials is not None:
            found = list(decision.credentials)
        reason = decision.reason
    return Safety(cls=cls, side_effects=side_effects or cls != "read", credentials=tuple(found), reason=reason)


__all__ = ["REVIEW_WORDS", "Safety", "SafetyClass", "classify", "fields", "needs_review", "suspicious", "words"]
