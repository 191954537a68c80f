"""Secret: a credential that never shows itself by accident, and the key prefixes the API uses."""

from __future__ import annotations

ADMIN_KEY_PREFIX = "sk-ant-admin"
API_KEY_PREFIX = "sk-ant-"


class Secret:
    """A credential that never shows itself in reprs, logs or f-strings by accident."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def hint(self) -> str:
        """The public, well-known prefix only (e.g. ``sk-ant-admin…``), safe to print."""
        for prefix in (ADMIN_KEY_PREFIX, "sk-ant-api", API_KEY_PREFIX):
            if self._value.startswith(prefix):
                return prefix + "…"
        return "(unrecognized prefix)"

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
