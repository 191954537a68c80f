"""The simulated organization's Admin objects: seed data and the state writes change.

Objects are stored exactly as the API sends them (SDK 2.10.0 shapes), so routes return them as they are.
Timestamps are relative to the sandbox's clock at creation, so "pending" invites are pending whenever the
sandbox starts.
"""

from __future__ import annotations

import random
import string
from datetime import datetime, timedelta
from typing import Any

from claude_api_mcp.sandbox.wire import rfc3339

ORG_ID = "3f2a9c1e-7b4d-4e8a-9c61-5d0b2e8f4a17"
ORG_NAME = "Acme Robotics (sandbox)"
INVITE_TTL = timedelta(days=21)

# name, email local part, role, days since joining
_USERS = [
    ("Avery Chen", "avery.chen", "admin", 720),
    ("Jordan Patel", "jordan.patel", "admin", 640),
    ("Sam Rivera", "sam.rivera", "developer", 600),
    ("Priya Nair", "priya.nair", "developer", 540),
    ("Diego Alvarez", "diego.alvarez", "developer", 480),
    ("Mei Tanaka", "mei.tanaka", "developer", 400),
    ("Olivia Brooks", "olivia.brooks", "developer", 300),
    ("Noah Williams", "noah.williams", "user", 260),
    ("Fatima Zahra", "fatima.zahra", "user", 200),
    ("Liam O'Brien", "liam.obrien", "billing", 380),
    ("Hannah Schmidt", "hannah.schmidt", "claude_code_user", 120),
    ("Kenji Watanabe", "kenji.watanabe", "claude_code_user", 90),
]
# name, color, archived?, days since creation, tags, allowed geos
_WORKSPACES = [
    ("Default", "#6C5BB9", False, 730, {}, "unrestricted"),
    ("Prod", "#D97757", False, 700, {"env": "production", "team": "platform"}, "unrestricted"),
    ("Staging", "#4F8EDB", False, 650, {"env": "staging", "team": "platform"}, "unrestricted"),
    ("Research", "#3BA776", False, 420, {"team": "research"}, ["us"]),
    ("Legacy Chatbot", "#8A8A8A", True, 690, {"team": "support"}, "unrestricted"),
]
# workspace, user email local part, workspace role (org admins and billing members are added automatically)
_MEMBERS = [
    ("Prod", "sam.rivera", "workspace_developer"),
    ("Prod", "priya.nair", "workspace_admin"),
    ("Prod", "noah.williams", "workspace_user"),
    ("Staging", "sam.rivera", "workspace_developer"),
    ("Staging", "diego.alvarez", "workspace_developer"),
    ("Staging", "mei.tanaka", "workspace_developer"),
    ("Staging", "olivia.brooks", "workspace_restricted_developer"),
    ("Research", "mei.tanaka", "workspace_admin"),
    ("Research", "priya.nair", "workspace_developer"),
    ("Research", "fatima.zahra", "workspace_user"),
    ("Legacy Chatbot", "diego.alvarez", "workspace_developer"),
]
# name, workspace, creator (email local part, or a departed user), status, days since creation, expires in days
_API_KEYS = [
    ("prod-backend", "Prod", "sam.rivera", "active", 400, None),
    ("prod-worker", "Prod", "priya.nair", "active", 310, None),
    ("prod-ci", "Prod", "diego.alvarez", "active", 60, 120),
    ("prod-backend-2024", "Prod", "sam.rivera", "inactive", 650, None),
    ("prod-rotation-q1", "Prod", "priya.nair", "expired", 300, -30),
    ("ml-pipeline", "Prod", "departed:alex.kim", "active", 500, None),
    ("staging-backend", "Staging", "diego.alvarez", "active", 350, None),
    ("staging-experiments", "Staging", "mei.tanaka", "inactive", 200, None),
    ("research-notebooks", "Research", "mei.tanaka", "active", 150, None),
    ("eval-harness", "Research", "olivia.brooks", "active", 45, 45),
    ("legacy-chatbot", "Legacy Chatbot", "diego.alvarez", "archived", 680, None),
    ("playground", "Default", "noah.williams", "active", 90, None),
]
# keys bound to their creator as principal (SDK 2.10.0 user_actor shape); the others have no principal
_PRINCIPAL_BOUND = {"eval-harness"}
# email, role, status, days since invited
_INVITES = [
    ("riley.morgan@acme.example", "developer", "pending", 3),
    ("casey.nguyen@acme.example", "user", "pending", 10),
    ("taylor.kim@acme.example", "claude_code_user", "expired", 40),
    ("jamie.lee@acme.example", "billing", "expired", 60),
    ("kenji.watanabe@acme.example", "claude_code_user", "accepted", 95),
]
_ALPHABET = string.ascii_letters + string.digits


class OrgState:
    def __init__(self, now: datetime, seed: int = 7) -> None:
        self._rng = random.Random(seed)
        self.organization = {"id": ORG_ID, "type": "organization", "name": ORG_NAME}
        self.users: dict[str, dict[str, Any]] = {}
        self.workspaces: dict[str, dict[str, Any]] = {}
        self.members: dict[tuple[str, str], dict[str, Any]] = {}  # (workspace_id, user_id)
        self.invites: dict[str, dict[str, Any]] = {}
        self.api_keys: dict[str, dict[str, Any]] = {}
        self.default_workspace_id = ""
        # The one deliberate dangling reference: a member who left still shows as the creator of an old key.
        self.departed_user_ids: set[str] = set()
        self._seed(now)

    def new_id(self, prefix: str) -> str:
        return prefix + "01" + "".join(self._rng.choice(_ALPHABET) for _ in range(22))

    # --- seed ---------------------------------------------------------------------------------------------

    def _seed(self, now: datetime) -> None:
        by_email: dict[str, str] = {}
        for name, local, role, days in _USERS:
            user = self.add_user(name, f"{local}@acme.example", role, now - timedelta(days=days, hours=len(local)))
            by_email[local] = user["id"]
        by_name: dict[str, str] = {}
        for name, color, archived, days, tags, geos in _WORKSPACES:
            ws = self.add_workspace(name, color, now - timedelta(days=days), tags=dict(tags), allowed_geos=geos)
            by_name[name] = ws["id"]
            if name == "Default":
                self.default_workspace_id = ws["id"]
            if archived:
                ws["archived_at"] = rfc3339(now - timedelta(days=30))
        for ws_name, local, role in _MEMBERS:
            self.set_member(by_name[ws_name], by_email[local], role)
        for name, ws_name, creator, status, days, expires in _API_KEYS:
            creator_id = by_email.get(creator) or self.new_id("user_")  # a departed user's id stays on the key
            if creator not in by_email:
                self.departed_user_ids.add(creator_id)
            created = now - timedelta(days=days)
            key: dict[str, Any] = {
                "id": self.new_id("apikey_"),
                "type": "api_key",
                "name": name,
                "created_at": rfc3339(created),
                "created_by": {"id": creator_id, "type": "user"},
                "expires_at": rfc3339(now + timedelta(days=expires)) if expires is not None else None,
                "partial_key_hint": "sk-ant-api03-"
                + "".join(self._rng.choice(_ALPHABET) for _ in range(3))
                + "..."
                + "".join(self._rng.choice(_ALPHABET) for _ in range(4)),
                "principal": {"type": "user_actor", "user_id": creator_id} if name in _PRINCIPAL_BOUND else None,
                "scope": {"type": "workspace", "workspace_id": by_name[ws_name]},
                "status": status,
            }
            self.api_keys[key["id"]] = key
        for email, role, status, days in _INVITES:
            invited = now - timedelta(days=days)
            invite = self.add_invite(email, role, invited)
            invite["status"] = status
            if status == "accepted":
                invite["accepted_at"] = rfc3339(invited + timedelta(days=1))

    # --- mutations shared by seed and routes --------------------------------------------------------------

    def add_user(self, name: str, email: str, role: str, added: datetime) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": self.new_id("user_"),
            "type": "user",
            "email": email,
            "name": name,
            "role": role,
            "added_at": rfc3339(added),
        }
        self.users[user["id"]] = user
        # Org admins and billing members hold a workspace role on every workspace, automatically.
        for ws_id in self.workspaces:
            self._auto_member(ws_id, user)
        return user

    def add_workspace(
        self,
        name: str,
        color: str,
        created: datetime,
        *,
        tags: dict[str, str],
        allowed_geos: Any = "unrestricted",
        default_geo: str = "global",
    ) -> dict[str, Any]:
        ws: dict[str, Any] = {
            "id": self.new_id("wrkspc_"),
            "type": "workspace",
            "name": name,
            "display_color": color,
            "created_at": rfc3339(created),
            "archived_at": None,
            "compartment_id": "cmpt_" + "".join(self._rng.choice(_ALPHABET) for _ in range(20)),
            "external_key_id": None,
            "tags": tags,
            "user_profile_id": None,
            "data_residency": {
                "workspace_geo": "us",
                "allowed_inference_geos": allowed_geos,
                "default_inference_geo": allowed_geos[0] if isinstance(allowed_geos, list) else default_geo,
            },
        }
        self.workspaces[ws["id"]] = ws
        for user in self.users.values():
            self._auto_member(ws["id"], user)
        return ws

    def _auto_member(self, workspace_id: str, user: dict[str, Any]) -> None:
        auto = {"admin": "workspace_admin", "billing": "workspace_billing"}.get(user["role"])
        if auto:
            self.set_member(workspace_id, user["id"], auto)

    def set_member(self, workspace_id: str, user_id: str, role: str) -> dict[str, Any]:
        member = {"type": "workspace_member", "user_id": user_id, "workspace_id": workspace_id, "workspace_role": role}
        self.members[(workspace_id, user_id)] = member
        return member

    def add_invite(self, email: str, role: str, invited: datetime) -> dict[str, Any]:
        invite: dict[str, Any] = {
            "id": self.new_id("invite_"),
            "type": "invite",
            "email": email,
            "role": role,
            "status": "pending",
            "invited_at": rfc3339(invited),
            "expires_at": rfc3339(invited + INVITE_TTL),
            "accepted_at": None,
            "rbac_group_ids": [],
        }
        self.invites[invite["id"]] = invite
        return invite

    def workspace_members(self, workspace_id: str) -> list[dict[str, Any]]:
        return [m for (ws, _), m in self.members.items() if ws == workspace_id]
