"""Finding catalog operations from plain words: BM25 over each operation's id, summary and path, with the
words people use mapped onto the API's ("someone" → user, "team" → group, "budget" → spend limit).

Small and dependency-free on purpose: ~300 short documents, scored in well under a millisecond, and the
synonym table is where ranking quality comes from. ``tests/tools/test_api_search.py`` holds the requests it must
rank right.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass

from claude_api_mcp.client.catalog import Operation, load_catalog

K1, B = 1.2, 0.75
# A plain word → the API's words (each also keeps itself). Verbs map onto the SDK's method names.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "someone": ("user", "member"),
    "somebody": ("user", "member"),
    "person": ("user", "member"),
    "people": ("user", "member"),
    "employee": ("user", "member"),
    "colleague": ("user", "member"),
    "teammate": ("user", "member"),
    "staff": ("user", "member"),
    "member": ("user",),
    "membership": ("member",),
    "team": ("group",),
    "department": ("group",),
    "group": ("rbac",),
    "rbac": ("group", "role"),
    "role": ("rbac",),
    "permission": ("rbac", "role"),
    "access": ("role", "permission"),
    "put": ("add",),
    "assign": ("add",),
    "join": ("add",),
    "include": ("add",),
    "kick": ("remove",),
    "drop": ("remove",),
    "revoke": ("remove", "delete"),
    "erase": ("delete",),
    "destroy": ("delete",),
    "purge": ("delete",),
    "show": ("list",),
    "see": ("list",),
    "view": ("list",),
    "display": ("list",),
    "detail": ("retrieve",),
    "info": ("retrieve",),
    "who": ("user", "member", "list"),
    "pending": ("list",),
    "invite": ("invite", "create"),
    "take": ("remove",),
    "give": ("add",),
    "grant": ("add", "approve"),
    "deploy": ("deployment", "create"),
    "override": ("update", "set"),
    "fetch": ("retrieve",),
    "get": ("retrieve",),
    "read": ("retrieve",),
    "which": ("list",),
    "what": ("list", "retrieve"),
    "all": ("list",),
    "every": ("list",),
    "find": ("list",),
    "browse": ("list",),
    "new": ("create",),
    "make": ("create",),
    "setup": ("create",),
    "register": ("create",),
    "add": ("create",),
    "start": ("create",),
    "launch": ("create", "run"),
    "change": ("update",),
    "edit": ("update",),
    "modify": ("update",),
    "rename": ("update",),
    "configure": ("update", "set"),
    "adjust": ("update", "set"),
    "raise": ("increase", "set"),
    "lower": ("set", "update"),
    "set": ("update",),
    "retire": ("archive",),
    "deactivate": ("archive",),
    "disable": ("archive",),
    "decommission": ("archive",),
    "spend": ("spend", "limit"),
    "spending": ("spend", "limit"),
    "budget": ("spend", "limit"),
    "cap": ("spend", "limit"),
    "money": ("cost",),
    "bill": ("cost",),
    "billing": ("cost",),
    "invoice": ("cost",),
    "spent": ("cost",),
    "price": ("cost",),
    "consumption": ("usage",),
    "token": ("usage", "token"),
    "quota": ("rate", "limit"),
    "throttle": ("rate", "limit"),
    "rpm": ("rate", "limit"),
    "tpm": ("rate", "limit"),
    "bot": ("service", "account"),
    "robot": ("service", "account"),
    "machine": ("service", "account"),
    "sso": ("federation", "issuer"),
    "oidc": ("federation", "issuer"),
    "idp": ("federation", "issuer"),
    "wif": ("federation",),
    "trust": ("federation", "issuer", "rule"),
    "identity": ("federation", "profile"),
    "cmek": ("external", "key"),
    "kms": ("external", "key"),
    "encryption": ("external", "key"),
    "hook": ("webhook",),
    "callback": ("webhook",),
    "notification": ("webhook",),
    "otel": ("telemetry", "destination"),
    "opentelemetry": ("telemetry", "destination"),
    "observability": ("telemetry", "destination"),
    "monitoring": ("telemetry", "destination"),
    "export": ("telemetry", "destination", "create"),
    "assistant": ("agent",),
    "conversation": ("session",),
    "logout": ("sign", "out"),
    "signout": ("sign", "out"),
    "secret": ("credential", "vault"),
    "password": ("credential", "vault"),
    "remember": ("memory",),
    "retention": ("compliance", "setting"),
    "approve": ("approve", "increase", "request"),
    "accept": ("approve",),
    "reject": ("deny",),
    "decline": ("deny",),
    "upload": ("upload", "file"),
    "document": ("file",),
    "key": ("api", "key"),
    "apikey": ("api", "key"),
    "org": ("organization",),
    "company": ("organization",),
    "analytic": ("analytics",),
    "activity": ("analytics",),
    "engagement": ("analytics",),
    "adoption": ("analytics",),
    "sandbox": ("environment",),
    "container": ("environment",),
    "schedule": ("deployment",),
    "cron": ("deployment",),
    "invitation": ("invite",),
    "profile": ("user", "profile"),
}
_STOP_WORDS = (
    "a an the of to in on for our my me is are i we do from with and or her his their them it its this that be "
)
STOP = frozenset((_STOP_WORDS + "by as at can how please want need into there any has have one s out").split())
_VERBS = {"list", "retrieve", "create", "update", "delete", "archive", "add", "remove", "set"}


def stem(word: str) -> str:
    word = word.lower()
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("ing", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith(("ss", "us", "is")):
            return word[: -len(suffix)] + repl
    return word


SYNONYMS = {stem(word): meanings for word, meanings in SYNONYMS.items()}  # looked up by stem


def words(text: str) -> list[str]:
    return [stem(w) for w in re.findall(r"[a-z0-9]+", text.lower().replace("_", " ")) if w not in STOP]


def _document(op: Operation) -> list[str]:
    parts = op.id.split(".")
    verb = parts[-1]
    resource = " ".join(p for p in parts[:-1] if p != "beta")
    path = " ".join(seg for seg in op.path.split("/") if seg and not seg.startswith("{") and seg != "v1")
    args = [name for name, where in op.locations.items() if where in ("body", "query")]
    return [*words(resource) * 2, *words(verb) * 2, *words(op.summary), *words(path), *words(" ".join(args))]


_NO_VERB = {"cost_report", "messages", "claude_code"}  # the hand-written report ids end with their resource


def _head(op: Operation) -> list[str]:
    """The words of the resource the operation acts on (``…workspaces.service_accounts.add`` → service account)."""
    parts = op.id.split(".")
    if parts[-1] in _NO_VERB:
        return words(parts[-1] if parts[-2] == "organization" else " ".join(parts[-2:]))
    return words(parts[-2]) if len(parts) >= 2 else []


@dataclass(frozen=True)
class _Index:
    ops: tuple[Operation, ...]
    docs: tuple[Counter[str], ...]
    idf: dict[str, float]
    avg: float


@functools.cache
def _index() -> _Index:
    ops = load_catalog().operations
    docs = tuple(Counter(_document(op)) for op in ops)
    df: Counter[str] = Counter(term for doc in docs for term in doc)
    n = len(docs)
    idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
    avg = sum(sum(d.values()) for d in docs) / max(n, 1)
    return _Index(ops, docs, idf, avg)


def expand(query: str) -> dict[str, float]:
    """Query terms with weights: the words themselves 1.0, what they stand for 0.6 (1.0 for a word the
    catalog never uses: then its meaning is all there is), later meanings a quarter less."""
    known = _index().idf
    terms: dict[str, float] = {}
    for word in words(query):
        terms[word] = max(terms.get(word, 0.0), 1.0)
        weight = 0.6 if word in known else 1.0
        for n, syn in enumerate(SYNONYMS.get(word, ())):
            s = stem(syn)
            terms[s] = max(terms.get(s, 0.0), weight * (1.0 if n == 0 else 0.75))  # the first meaning leads
    return terms


def _parents(op: Operation) -> list[set[str]]:
    """The resources above the one acted on (``organization.workspaces.members.update`` → workspace)."""
    parts = [p for p in op.id.split(".")[:-2] if p not in ("beta", "organization")]
    return [set(words(p)) for p in parts]


def _is_verb(word: str) -> bool:
    meanings = SYNONYMS.get(word, ())
    return word in _VERBS or (bool(meanings) and all(stem(s) in _VERBS for s in meanings))


def search(query: str, limit: int) -> list[Operation]:
    index = _index()
    terms = expand(query)
    said = words(query)
    asked_verbs = {t for t in terms if t in _VERBS} or {"list"}  # a bare noun names no id to get: list them
    nouns = [w for w in said if not _is_verb(w)]
    first = said.index(nouns[0]) if nouns else 0
    head = set(nouns[:1]) | {stem(s) for s in SYNONYMS.get(nouns[0], ())} if nouns else set()
    scored: list[tuple[float, int, Operation]] = []
    for i, (op, doc) in enumerate(zip(index.ops, index.docs, strict=True)):
        length = sum(doc.values())
        score = 0.0
        for term, weight in terms.items():
            tf = doc.get(term, 0)
            if tf:
                score += weight * index.idf[term] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / index.avg))
        if score <= 0:
            continue
        verb = op.id.rsplit(".", 1)[-1]
        if asked_verbs and verb not in asked_verbs:
            score *= 0.85  # the right resource with another verb still shows, just lower
        op_head = _head(op)
        if head & set(op_head):
            score *= 1.15  # the thing the request is about comes first in it
        if op_head and said[first : first + len(op_head)] == op_head:
            score *= 1 + 0.05 * len(op_head)  # named in full where the request names its subject
        if any(not (parent & terms.keys()) for parent in _parents(op)):
            score *= 0.9  # acts inside something the request does not mention
        if op.id.startswith("beta."):
            score *= 0.97  # a GA operation first when both fit as well
        scored.append((score, -i, op))
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    return [op for _, _, op in scored[:limit]]
