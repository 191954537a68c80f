"""Assembling the MCP server: the selected tools, profiles, strict arguments, prompts and resources.

Layers (docs/architecture.md): cli > web > app > tools > safety > sandbox > client > core.
"""
