"""The SDK's own field documentation, for the catalog's argument schemas (``describe_api`` shows it).

Two sources, both the SDK's words: a method's docstring ``Args:`` section (its top-level parameters) and the
attribute docstrings of its params TypedDicts (nested fields: the string literal under each annotated
field, which Python keeps only in the source, so the class source is parsed). Each text is cut to its first
paragraph and ``MAX_CHARS`` (deeper fields and variant objects: the first sentence): the unit of an amount,
what an id looks like, what a flag does; the rest is on the API reference. Used by ``update_catalog.py``
only (docs/CATALOG_FORMAT.md, "Arguments").
"""

from __future__ import annotations

import ast
import functools
import inspect
import re
import textwrap
from typing import Any

MAX_CHARS = 400
_ENTRY = re.compile(r"^(\w+): ?(.*)$")


def brief(text: str) -> str:
    """The first paragraph on one line, at most ``MAX_CHARS`` (cut after a sentence when it has to be cut)."""
    first = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]
    line = " ".join(first.split())
    if len(line) <= MAX_CHARS:
        return line
    cut = line[:MAX_CHARS]
    end = cut.rfind(". ")
    return cut[: end + 1] if end > MAX_CHARS // 3 else cut.rstrip() + "…"


def sentence(text: str, limit: int = 160) -> str:
    """The first sentence only, for fields nested deep in an argument (each word is read in every answer)."""
    line = brief(text)
    end = line.find(". ")
    line = line[: end + 1] if end > 0 else line
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def param_docs(method: Any) -> dict[str, str]:
    """Each parameter's text from the method docstring's ``Args:`` section."""
    doc = inspect.getdoc(method) or ""
    lines = doc.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Args:")
    except StopIteration:
        return {}
    body: list[str] = []
    for line in lines[start + 1 :]:
        if line.strip() and not line.startswith((" ", "\t")):
            break  # the next section (Raises:, Returns:) starts at the Args: indentation
        body.append(line)
    entries: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in textwrap.dedent("\n".join(body)).splitlines():
        match = _ENTRY.match(line)
        if match and not line.startswith(" "):
            current = entries.setdefault(match.group(1), [match.group(2)])
        elif current is not None:
            current.append(line.strip())
    out = {name: brief("\n".join(text)) for name, text in entries.items()}
    return {name: text for name, text in out.items() if text}


def field_docs(typed_dict: Any) -> dict[str, str]:
    """Each field's attribute docstring, for a TypedDict and the TypedDicts it extends."""
    out: dict[str, str] = {}
    for base in reversed(getattr(typed_dict, "__orig_bases__", ())):
        if isinstance(base, type) and base is not typed_dict and hasattr(base, "__annotations__"):
            out.update(field_docs(base))
    out.update(_own_docs(typed_dict))
    return out


@functools.cache
def _own_docs(typed_dict: Any) -> dict[str, str]:
    try:
        source = textwrap.dedent(inspect.getsource(typed_dict))
    except (OSError, TypeError):
        return {}
    tree = ast.parse(source)
    klass = next((n for n in tree.body if isinstance(n, ast.ClassDef)), None)
    if klass is None:
        return {}
    out: dict[str, str] = {}
    for field, after in zip(klass.body, [*klass.body[1:], None], strict=True):
        if not (isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)):
            continue
        docstring = after.value.value if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) else None
        if isinstance(docstring, str) and (text := brief(docstring)):
            out[field.target.id] = text
    return out
