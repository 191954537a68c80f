# claude-api-mcp for a team: the HTTP transport, N workers, sign-in through the organization's IdP.
#   docker build -t claude-api-mcp .
#   docker run -p 8765:8765 -e ANTHROPIC_ADMIN_KEY -e ANTHROPIC_API_KEY \
#     -e CLAUDE_API_MCP_STATE_KEY -e CLAUDE_API_MCP_OAUTH_ISSUER=https://idp.example.com \
#     -e CLAUDE_API_MCP_OAUTH_AUDIENCE=https://mcp.example.com/mcp claude-api-mcp
# Configuration is environment only (README, "Team deployment"); nothing is baked into the image.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY server ./server
COPY tools ./tools
RUN pip install . && useradd --system --home-dir /var/lib/claude-api-mcp --create-home mcp

USER mcp
ENV CLAUDE_API_MCP_TRANSPORT=http \
    CLAUDE_API_MCP_HOST=0.0.0.0 \
    CLAUDE_API_MCP_PORT=8765 \
    CLAUDE_API_MCP_WORKERS=2 \
    CLAUDE_API_MCP_AUDIT_LOG=/var/lib/claude-api-mcp/audit.jsonl
EXPOSE 8765
HEALTHCHECK --interval=15s --timeout=3s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8765/health', timeout=2)"
ENTRYPOINT ["claude-api-mcp"]
