"""claude-api-mcp: an MCP server for the Claude API (Admin API and core API)."""

__version__ = "0.1.0"
