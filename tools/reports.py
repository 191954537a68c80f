"""Tools for this toolset: not written yet."""

from tools._base import ToolDef

TOOLS: list[ToolDef] = []
