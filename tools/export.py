#!/usr/bin/env python3
"""Generate ``superposition_lib/`` from the book's chapters.

Every code cell tagged ``export`` is copied, in ``_toc.yml`` order, into one module per chapter.
The module is named by the notebook's metadata key ``export_module`` or, failing that, by the
file name without its leading number (``03_autoencoder.ipynb`` -> ``autoencoder``).

    python tools/export.py           # write superposition_lib/
    python tools/export.py --check   # exit 1 with a diff if superposition_lib/ is stale

The library is never edited by hand: edit the chapter, then re-export.
"""
from __future__ import annotations

import argparse
import ast
import difflib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

EXPORT_TAG = "export"
PACKAGE = "superposition_lib"
FIX_HINT = (
    "superposition_lib/ is out of sync with the book.\n"
    "Fix: run `make export` (or `python tools/export.py`) and commit the regenerated files.\n"
    "Never edit superposition_lib/ by hand: edit the chapter's cells tagged `export` instead."
)


class ExportError(Exception):
    """An exported cell cannot become library code; the message names notebook and cell."""


@dataclass
class Block:
    index: int  # position of the cell in the notebook, 0-based
    cell_id: str | None
    source: str


@dataclass
class Chapter:
    notebook: Path  # relative to the repository root
    module: str
    title: str
    blocks: list[Block] = field(default_factory=list)


def toc_documents(toc: dict) -> list[str]:
    """All `file` entries of a Jupyter Book v1 table of contents, in reading order."""
    found = [toc["root"]] if "root" in toc else []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []):
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk({k: v for k, v in toc.items() if k != "root"})
    return found


def module_name(notebook: Path, metadata: dict) -> str:
    name = metadata.get("export_module") or re.sub(r"^\d+[_-]", "", notebook.stem)
    if not name.isidentifier():
        raise ExportError(f"{notebook}: module name {name!r} is not a Python identifier; "
                          "set the notebook metadata key `export_module`.")
    return name


def chapter_title(cells: list[dict]) -> str:
    for cell in cells:
        if cell["cell_type"] == "markdown":
            for line in _source(cell).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def check_cell(notebook: Path, index: int, source: str) -> None:
    """Reject what cannot run outside Jupyter (magics, shell escapes) and syntax errors."""
    where = f"{notebook}, cell {index}"
    for lineno, line in enumerate(source.splitlines(), 1):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) or "get_ipython(" in stripped:
            raise ExportError(f"{where}, line {lineno}: IPython magic or shell escape in an "
                              f"exported cell: {stripped!r}. Move it to a cell not tagged `export`.")
    try:
        ast.parse(source)
    except SyntaxError as err:
        raise ExportError(f"{where}, line {err.lineno}: syntax error in an exported cell: "
                          f"{err.msg}") from None


def read_chapter(root: Path, doc: str) -> Chapter | None:
    path = root / f"{doc}.ipynb"
    if not path.exists():
        return None  # a Markdown page: nothing to export
    nb = json.loads(path.read_text(encoding="utf-8"))
    rel = path.relative_to(root)
    chapter = Chapter(rel, module_name(rel, nb.get("metadata", {})), chapter_title(nb["cells"]))
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and EXPORT_TAG in cell.get("metadata", {}).get("tags", []):
            source = _source(cell).strip("\n")
            check_cell(rel, index, source)
            chapter.blocks.append(Block(index, cell.get("id"), source))
    return chapter if chapter.blocks else None


def public_names(source: str) -> list[str]:
    """Top-level functions, classes and assignments not starting with an underscore."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return [n for n in dict.fromkeys(names) if not n.startswith("_")]


def render_module(chapter: Chapter) -> str:
    body = "\n\n\n".join(
        f"# ---- {chapter.notebook} cell {b.index}" + (f" (id {b.cell_id})" if b.cell_id else "")
        + f" ----\n{b.source}" for b in chapter.blocks)
    names = public_names(body)
    doc = f"{chapter.title}." if chapter.title else f"Generated from {chapter.notebook}."
    lines = [
        f"# GENERATED from {chapter.notebook} by tools/export.py. DO NOT EDIT:",
        "# edit the chapter's cells tagged `export`, then run `make export`.",
        f'"""{doc}"""',
        "",
        "__all__ = [" + ", ".join(repr(n) for n in names) + "]",
        "",
        "",
        body,
    ]
    return "\n".join(line.rstrip() for line in "\n".join(lines).splitlines()) + "\n"


def render_init(chapters: list[Chapter], modules: dict[str, str]) -> str:
    owner: dict[str, str] = {}
    for ch in chapters:
        for name in public_names(modules[ch.module]):
            if name in owner:
                raise ExportError(f"{ch.notebook}: `{name}` is exported by both "
                                  f"`{owner[name]}` and `{ch.module}`; rename one.")
            owner[name] = ch.module
    lines = [
        "# GENERATED by tools/export.py. DO NOT EDIT: run `make export`.",
        '"""Superposition from scratch: the library the book\'s chapters build, one module a chapter."""',
        "",
    ]
    lines += [f"from .{ch.module} import *  # noqa: F401,F403  ({ch.notebook})" for ch in chapters]
    lines += ["", "__all__ = ["]
    lines += [f"    {name!r},  # {mod}" for name, mod in owner.items()]
    lines += ["]", ""]
    return "\n".join(lines)


def build(root: Path, toc_path: Path) -> dict[str, str]:
    """Return {file name in the package: text} for the whole library."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    chapters = [c for doc in toc_documents(toc) if (c := read_chapter(root, doc))]
    seen: dict[str, Path] = {}
    for ch in chapters:
        if ch.module in seen:
            raise ExportError(f"{ch.notebook} and {seen[ch.module]} both export to module "
                              f"`{ch.module}`: one chapter, one module.")
        seen[ch.module] = ch.notebook
    modules = {ch.module: render_module(ch) for ch in chapters}
    files = {f"{name}.py": text for name, text in modules.items()}
    files["__init__.py"] = render_init(chapters, modules)
    return files


def stale_files(files: dict[str, str], out: Path) -> list[str]:
    """Unified diffs between what the book generates and what is on disk (empty: in sync)."""
    diffs = []
    on_disk = {p.name for p in out.glob("*.py")} if out.exists() else set()
    for name in sorted(set(files) | on_disk):
        path = out / name
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        new = files.get(name, "")
        if old != new:
            diffs.append("".join(difflib.unified_diff(
                old.splitlines(True), new.splitlines(True),
                f"{out.name}/{name} (on disk)", f"{out.name}/{name} (from the book)")))
    return diffs


def write(files: dict[str, str], out: Path) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    changed = []
    for stale in set(p.name for p in out.glob("*.py")) - set(files):
        (out / stale).unlink()
        changed.append(stale)
    for name, text in files.items():
        path = out / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(name)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 with a diff if the library differs from the book")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="repository root (holds _toc.yml)")
    parser.add_argument("--out", type=Path, help=f"package folder (default ROOT/{PACKAGE})")
    args = parser.parse_args(argv)
    out = args.out or args.root / PACKAGE
    try:
        files = build(args.root, args.root / "_toc.yml")
    except ExportError as err:
        print(f"export failed: {err}", file=sys.stderr)
        return 2
    if args.check:
        diffs = stale_files(files, out)
        if diffs:
            print("".join(diffs), file=sys.stderr)
            print(FIX_HINT, file=sys.stderr)
            return 1
        print(f"{PACKAGE}/ is in sync with the book ({len(files)} files).")
        return 0
    changed = write(files, out)
    print(f"wrote {', '.join(changed) if changed else 'nothing (already in sync)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
