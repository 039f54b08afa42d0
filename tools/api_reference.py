"""Sphinx extension: the book's API reference, generated from the library at build time.

`book/api.md` contains the directive line ```` ```{library-api} ```` (an empty fence).
When Sphinx reads that page, the fence is replaced by one section per module of
`superposition_lib`, in the book's reading order (from the symbol index
`tools/export.py` writes), each linking to the chapter that builds it and listing its
public names with `automodule`. A module that does not exist yet is simply not listed,
so the page never breaks while a chapter is being written.

Docstrings are written for humans reading a notebook (Markdown-ish: `name`, I_i =
decay**i), not in reStructuredText. `tidy_docstring` turns `name` into inline code and
escapes `*` and `|`; a docstring that is still not valid rST is shown verbatim rather
than failing the build.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from docutils import nodes
from docutils.core import publish_doctree

PACKAGE = "superposition_lib"
INDEX_FILE = "symbols.json"  # written by tools/export.py
FENCE = re.compile(r"^```\{library-api\}[ \t]*\n```[ \t]*$", re.MULTILINE)
MARKDOWN_CODE = re.compile(r"(?<![`\\])`([^`\n]+)`(?![`_])")


def library_modules(root: Path) -> list[tuple[str, str | None]]:
    """(module, chapter docname) in reading order, from the exporter's symbol index."""
    index = root / PACKAGE / INDEX_FILE
    if not index.exists():
        return []
    modules: dict[str, str] = {}
    for entry in json.loads(index.read_text(encoding="utf-8")):
        module = entry["module"].removeprefix(f"{PACKAGE}.")
        modules.setdefault(module, entry["chapter"])
    return [
        (m, ch) for m, ch in modules.items() if (root / PACKAGE / f"{m}.py").exists()
    ]


def module_section(module: str, chapter: str | None) -> str:
    """MyST for one module: a heading, the chapter it comes from, its members (autodoc
    emits reStructuredText, hence `eval-rst`)."""
    origin = f"Built in {{doc}}`/{chapter}`." if chapter else ""
    return (
        f"(api-{module})=\n## {PACKAGE}.{module}\n\n{origin}\n\n"
        f"```{{eval-rst}}\n.. automodule:: {PACKAGE}.{module}\n   :members:\n"
        f"   :undoc-members:\n   :no-value:\n```\n"
    )


def api_markdown(root: Path) -> str:
    modules = library_modules(root)
    if not modules:
        return "*The library has no modules yet: run `make export`.*\n"
    return "\n".join(module_section(module, chapter) for module, chapter in modules)


def expand_api_fence(app, docname, source):
    """`source-read` hook: replace the {library-api} fence with the generated
    sections."""
    if FENCE.search(source[0]):
        root = Path(app.srcdir)
        source[0] = FENCE.sub(lambda _: api_markdown(root), source[0])


def is_clean_rst(text: str) -> bool:
    """True when docutils parses `text` without a warning (unknown roles count as
    warnings)."""
    settings = {"report_level": 5, "halt_level": 5, "warning_stream": io.StringIO()}
    doctree = publish_doctree(text, settings_overrides=settings)
    return not any(msg["level"] >= 2 for msg in doctree.findall(nodes.system_message))


def tidy_docstring(lines: list[str]) -> list[str]:
    """Markdown-ish docstring lines -> rST lines that cannot fail the build."""
    tidied = [
        MARKDOWN_CODE.sub(r"``\1``", line).replace("*", r"\*").replace("|", r"\|")
        for line in lines
    ]
    if is_clean_rst("\n".join(tidied)):
        return tidied
    return ["::", ""] + ["    " + line for line in lines] + [""]


def process_docstring(app, what, name, obj, options, lines):
    if not name.startswith(PACKAGE):
        return
    if what == "module":
        lines[:] = []  # the module docstring is the chapter title, linked just above
    elif lines:
        lines[:] = tidy_docstring(lines)


def setup(app):
    app.connect("source-read", expand_api_fence)
    app.connect("autodoc-process-docstring", process_docstring)
    # The page depends on the library's files: always re-read it.
    app.connect(
        "env-get-outdated", lambda app, env, added, changed, removed: ["book/api"]
    )
    return {"parallel_read_safe": True, "parallel_write_safe": True}
