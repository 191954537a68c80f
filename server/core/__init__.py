"""The bottom layer: settings, secrets, errors and their one table, the scrubber, wording, the
shared store. Imports nothing of ours above it.

Layers (docs/architecture.md): cli > web > app > tools > safety > sandbox > client > core.
"""
