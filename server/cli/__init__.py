"""The command line: flags and environment into Settings, then serve (stdio or HTTP) or doctor.

Layers (docs/architecture.md): cli > web > app > tools > safety > sandbox > client > core.
"""
