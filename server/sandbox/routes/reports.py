"""Sandbox routes for this area: not written yet."""

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
