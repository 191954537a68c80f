"""The typed tools, one module per toolset. ``registry.ALL_TOOLS`` is the one registry; importing this package
imports none of them (a server imports a tool's module on its first call: ``server/app/tool_index.py``)."""
