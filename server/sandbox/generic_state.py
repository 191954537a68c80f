"""The generic simulator's state: collections of records by concrete path, single objects, seed data.

A collection (``/v1/organizations/rbac_groups``, ``/v1/organizations/rbac_groups/rbac_group_01.../members``)
is seeded the first time it is touched, from a hash of its path, so ids do not depend on the order of
requests. Items that stand for someone or something the organization already has (a group's members, a
service account's workspaces) are the sandbox's real users and workspaces, or items of the matching
generic collection.
"""

from __future__ import annotations

import random
import string
import zlib
from collections.abc import Callable, MutableMapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from claude_api_mcp.sandbox.files_state import FilesState
from claude_api_mcp.sandbox.generic_seed import noun_of, seed_name
from claude_api_mcp.sandbox.skills_state import SkillsState
from claude_api_mcp.sandbox.synth import Synth

if TYPE_CHECKING:
    from claude_api_mcp.sandbox.state import SandboxState as Sandbox

SEEDS = 3
_ALPHABET = string.ascii_letters + string.digits
Record = dict[str, Any]


def make_id(rng: random.Random) -> Callable[[str], str]:
    return lambda prefix: prefix + "01" + "".join(rng.choice(_ALPHABET) for _ in range(22))


class GenericState:
    def __init__(self, box: Sandbox) -> None:
        self.box = box
        self.rng = random.Random(29)
        self.collections: dict[str, MutableMapping[str, Record]] = {}  # concrete collection path → key → record
        self.links: dict[str, dict[tuple[str, str], Record]] = {}  # relation (model name) → its links
        self.singles: dict[str, Record] = {}  # concrete path → the one object there
        self.top_level: dict[str, str] = {}  # noun → path of the top-level generic collection of that kind
        self.seeder: Callable[[str], MutableMapping[str, Record]] | None = None  # seeds a top-level collection by path

    def now(self) -> datetime:
        return self.box.clock()

    def synth(self, rng: random.Random | None = None) -> Synth:
        return Synth(make_id(rng or self.rng), self.now, self.resolve)

    def resolve(self, field: str, holder: str, index: int) -> tuple[str, Record] | None:
        """An existing id for a made-up object's reference field (``scope.user_id``, ``skills[].skill_id``)."""
        if holder == "slack":  # Slack's own ids (team T…, channel C…), never the organization's
            return slack_id(field, index), {}
        refs = self.known_ids(reference_noun(field))
        return refs[index % len(refs)] if refs else None

    # --- ids the organization already has, for references ---------------------------------------------------

    def known_ids(self, noun: str) -> list[tuple[str, Record]]:
        """Existing things of a kind: users and workspaces of the simulated org, or a generic collection's items."""
        org = self.box.org
        if noun == "user" or noun.endswith(("_actor", "_by", "owner", "creator")):  # created_by_actor_id: a person
            return [(u["id"], {"email": u["email"], "name": u["name"]}) for u in org.users.values()]
        if noun == "workspace":
            return [(w["id"], {"name": w["name"]}) for w in org.workspaces.values() if w["archived_at"] is None]
        if noun == "organization":
            return [(org.organization["id"], {"name": org.organization["name"]})]
        if noun in HANDWRITTEN:  # lists the hand-written routes own: their items, never made-up ones
            return HANDWRITTEN[noun](self.box)
        path = self.top_level.get(noun)
        if path is None or self.seeder is None:
            return []
        # report rows have no id of their own (keyed row-N): nothing can refer to them
        return [(key, {"name": rec.get("name")}) for key, rec in self.seeder(path).items() if rec.get("id") == key]

    def ids_of(self, noun: str) -> set[str] | None:
        """The ids of a kind the organization has (what creates added included), or None for a kind it lacks."""
        kinds = ("user", "workspace", "organization", *HANDWRITTEN, *self.top_level)
        if noun not in kinds and not noun.endswith(("_actor", "_by")):
            return None
        return {key for key, _ in self.known_ids(noun)}

    # --- seeding --------------------------------------------------------------------------------------------

    def seed(
        self,
        concrete: str,
        schema: dict[str, Any],
        key_field: str,
        context: Record,
        from_list: list[Record] | None,
    ) -> MutableMapping[str, Record]:
        """The records of a collection, seeded on first use (from a hand-written list when one serves it)."""
        if concrete in self.collections:
            return self.collections[concrete]
        items: dict[str, Record] = {}
        self.collections[concrete] = items
        if from_list is not None:
            for index, record in enumerate(from_list):
                items[key_of(record, key_field) or f"row-{index + 1}"] = record
            return items
        segment = concrete.rsplit("/", 1)[-1]
        noun = noun_of(segment)
        rng = random.Random(zlib.crc32(concrete.encode()))
        props = properties_of(schema)
        refs = self.known_ids(noun_of(key_field.removesuffix("_id"))) if key_field != "id" else []
        count = min(SEEDS, len(refs)) if refs else SEEDS
        for index in range(count):
            source: Record = dict(context)
            for name in ("name", "display_name", "title"):
                if name in props:
                    source[name] = seed_name(segment, index)
            if refs:
                ref_id, about = refs[(index + self._position(concrete)) % len(refs)]
                source[key_field] = ref_id
                source.update({k: v for k, v in about.items() if k in props and v is not None})
            self._references(source, props, key_field, index)
            record = self.synth(rng).build(schema, source, noun=noun, index=index)
            if not isinstance(record, dict):
                continue
            key = key_of(record, key_field) or f"row-{index + 1}"  # report rows have no id
            items.setdefault(key, record)
        for key, record in items.items():  # a channel's settings come from itself: its own id, not a made-up one
            if record.get("id") == key:
                _own_references(record, noun + "_id", key, items)
        return items

    def _position(self, concrete: str) -> int:
        """Where a sub-collection's parent stands among its siblings: the first group's members start with the
        first user, the second group's with the second, so memberships overlap the way real ones do."""
        parts = concrete.split("/")
        siblings = self.collections.get("/".join(parts[:-2]), {})
        return list(siblings).index(parts[-2]) if parts[-2] in siblings else 0

    def _references(self, source: Record, props: dict[str, Any], key_field: str, index: int) -> None:
        """Point ``user_id``, ``workspace_id``, ``agent_id``... of a made-up object at things that exist."""
        for name in props:
            if name == key_field or name in source or not name.endswith("_id") or name == "id":
                continue
            if "_by" in name and name.split("_by")[0] + "_at" in props:  # archived_by_…: set with its time only
                continue
            refs = self.known_ids(noun_of(name.removesuffix("_id")))
            if refs:
                ref_id, about = refs[index % len(refs)]
                source[name] = ref_id
                if name == "user_id" and "email" in props:
                    source.setdefault("email", about["email"])
                label = name.removesuffix("_id") + "_name"  # rbac_group_id → rbac_group_name, the same group's
                if label in props and about.get("name"):
                    source.setdefault(label, about["name"])


def _api_keys(box: Sandbox) -> list[tuple[str, Record]]:
    return [(k["id"], {"name": k["name"]}) for k in box.org.api_keys.values() if k["status"] == "active"]


def _skills(box: Sandbox) -> list[tuple[str, Record]]:
    skills: SkillsState = box.area("skills", SkillsState)
    return [(key, {"name": r.skill.get("display_name")}) for key, r in skills.skills.items()]


def _files(box: Sandbox) -> list[tuple[str, Record]]:
    files: FilesState = box.area("files", FilesState)
    return [(key, {"name": f.meta.get("filename")}) for key, f in files.files.items()]


HANDWRITTEN: dict[str, Callable[[Sandbox], list[tuple[str, Record]]]] = {
    "api_key": _api_keys,
    "scoped_api_key": _api_keys,
    "skill": _skills,
    "file": _files,
}
# Reference fields whose name is not their kind's: a Claude tag user is an organization user.
_ALIASES = {"claude_tag_user": "user", "resolved_by": "user", "issuer": "federation_issuer"}


def _own_references(value: Any, field: str, key: str, items: MutableMapping[str, Record]) -> None:
    """Nested ``field`` values (``sources.model.slack_channel_id``) made up while the collection was empty."""
    if isinstance(value, dict):
        for name, inner in value.items():
            if name == field and isinstance(inner, str) and inner not in items:
                value[name] = key
            else:
                _own_references(inner, field, key, items)
    elif isinstance(value, list):
        for inner in value:
            _own_references(inner, field, key, items)


def reference_noun(field: str) -> str:
    """The kind of thing a ``*_id`` field refers to: ``scope.user_id`` → user, ``claude_tag_user_id`` → user."""
    noun = field.removesuffix("_ids").removesuffix("_id")
    return _ALIASES.get(noun, noun)


def slack_id(field: str, index: int) -> str:
    """A Slack id in Slack's own format: workspaces (teams) start with T, channels with C."""
    letter = "C" if "channel" in field else "T"
    return f"{letter}0{7340 + index}SANDBX"


def properties_of(schema: dict[str, Any]) -> dict[str, Any]:
    """The top-level fields of an object schema (following a ``$ref``; the first variant of a union)."""
    defs = schema.get("$defs", {})
    seen = 0
    while seen < 8:
        seen += 1
        if "$ref" in schema:
            schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
        elif variants := schema.get("anyOf") or schema.get("oneOf"):
            schema = variants[0]
        else:
            break
    props: dict[str, Any] = schema.get("properties", {})
    return props


def key_of(record: Record, field: str) -> str | None:
    """The key of an item: its field named like the item path's parameter, else its id.

    A field holding an object (a plugin setting's ``target``: ``{"type": "rbac_group", "rbac_group_id": ...}``)
    keys by the id inside it, else by its type (``organization``).
    """
    value = record.get(field)
    if isinstance(value, dict):
        value = next((v for k, v in value.items() if k.endswith("_id") and isinstance(v, str)), value.get("type"))
    if not isinstance(value, str):
        value = record.get("id")
    return value if isinstance(value, str) else None


def merge(record: Record, changes: Record) -> None:
    """An update: fields replace, ``metadata``/``tags`` maps merge key by key (a null value removes a key)."""
    for name, value in changes.items():
        current = record.get(name)
        if name in ("metadata", "tags") and isinstance(current, dict) and isinstance(value, dict):
            merged = {**current, **value}
            record[name] = {k: v for k, v in merged.items() if v is not None}
        else:
            record[name] = value
