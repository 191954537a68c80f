"""The one write path and what guards it: audit, workspace pinning, confirmation, local-file confinement.

Layers (docs/architecture.md): cli > web > app > tools > safety > sandbox > client > core.
"""
