"""The upstream client: one httpx client, retries, throttle, SSE, bounded bodies, the operation catalog, platforms.

Layers (docs/architecture.md): cli > web > app > tools > safety > sandbox > client > core.
"""
