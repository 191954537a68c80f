"""The streamable HTTP transport: the ASGI app, its front-door guard, OAuth, metrics, workers.

Layers (docs/architecture.md): cli > web > app > tools > safety > sandbox > client > core.
"""
