#!/usr/bin/env python3
"""Generate ``superposition_lib/`` from the book's chapters.

Every code cell tagged ``export`` is copied, in ``_toc.yml`` order, into one module per
chapter. The module is named by the notebook's metadata key ``export_module`` or,
failing that, by the file name without its leading number (``03_autoencoder.ipynb`` ->
``autoencoder``).

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
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import yaml

EXPORT_TAG = "export"
PACKAGE = "superposition_lib"
INDEX_FILE = (
    "symbols.json"  # name -> module, chapter, cell id: read by the API reference
)
CONFIG = Path(__file__).resolve().parent.parent / "pyproject.toml"
FIX_HINT = (
    "superposition_lib/ is out of sync with the book.\n"
    "Fix: run `make export` (or `python tools/export.py`) and commit the regenerated "
    "files.\n"
    "Never edit superposition_lib/ by hand: edit the chapter's cells tagged `export` "
    "instead."
)


class ExportError(Exception):
    """An exported cell cannot become library code; the message names notebook and
    cell."""


@dataclass
class Block:
    cell_id: str
    source: str


@dataclass
class Chapter:
    notebook: Path  # relative to the repository root
    module: str
    title: str
    summary: str  # the chapter's first paragraph: the module's docstring
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
        raise ExportError(
            f"{notebook}: module name {name!r} is not a Python identifier; "
            "set the notebook metadata key `export_module`."
        )
    return name


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


# {term}`word <Term>`, {doc}`/book/x`: a docstring keeps the visible text; {cite}`key`
# the key.
MYST_ROLE = re.compile(r"\{[\w:-]+\}`([^`<]*?)\s*(?:<[^`]*>)?`")
CITE_ROLE = re.compile(r"\{cite(?::\w+)?\}`([^`]*)`")


def chapter_heading(cells: list[dict]) -> tuple[str, str]:
    """The chapter's `# title` and the paragraph that follows it, as plain text."""
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        lines = _source(cell).splitlines()
        for i, line in enumerate(lines):
            if line.startswith("# "):
                paragraph = []
                for rest in lines[i + 1 :]:
                    if rest.strip():
                        paragraph.append(rest.strip())
                    elif paragraph:
                        break
                text = CITE_ROLE.sub(r"[\1]", " ".join(paragraph))
                text = MYST_ROLE.sub(r"\1", text)
                return line[2:].strip(), text
    return "", ""


def check_cell(notebook: Path, cell_id: str, source: str) -> None:
    """Reject what cannot run outside Jupyter (magics, shell escapes) and syntax
    errors."""
    where = f"{notebook}, cell {cell_id}"
    for lineno, line in enumerate(source.splitlines(), 1):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) or "get_ipython(" in stripped:
            raise ExportError(
                f"{where}, line {lineno}: IPython magic or shell escape in an exported "
                f"cell: {stripped!r}. Move it to a cell not tagged `export`."
            )
    try:
        ast.parse(source)
    except SyntaxError as err:
        raise ExportError(
            f"{where}, line {err.lineno}: syntax error in an exported cell: {err.msg}"
        ) from None


def read_chapter(root: Path, doc: str) -> Chapter | None:
    path = root / f"{doc}.ipynb"
    if not path.exists():
        return None  # a Markdown page: nothing to export
    nb = json.loads(path.read_text(encoding="utf-8"))
    rel = path.relative_to(root)
    title, summary = chapter_heading(nb["cells"])
    chapter = Chapter(rel, module_name(rel, nb.get("metadata", {})), title, summary)
    for index, cell in enumerate(nb["cells"]):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] != "code" or EXPORT_TAG not in tags:
            continue
        if not cell.get("id"):
            raise ExportError(
                f"{rel}, cell {index}: an exported cell needs an id (nbformat >= 4.5): "
                "open and save the notebook in Jupyter, or run tools/execute.py on it."
            )
        source = _source(cell).strip("\n")
        check_cell(rel, cell["id"], source)
        chapter.blocks.append(Block(cell["id"], source))
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


def split_imports(source: str) -> tuple[list[str], str]:
    """A block's top-level import statements, and the block without them.

    The module gathers every block's imports at its top, as a library is written (a
    chapter imports where a section first needs a name).
    """
    lines = source.splitlines()
    imports, drop = [], set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            span = range(node.lineno - 1, node.end_lineno)
            imports.append("\n".join(lines[i] for i in span))
            drop.update(span)
    rest = "\n".join(line for i, line in enumerate(lines) if i not in drop)
    return imports, re.sub(r"\n{3,}", "\n\n\n", rest).strip("\n")


def used_names(code: str) -> set[str]:
    """Every name the code reads (for `a.b.c`, the `a`)."""
    return {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)}


def unused_imports_removed(imports: list[str], body: str) -> list[str]:
    """The import statements, each keeping only the names the body uses."""
    used = used_names(body)
    kept = []
    for statement in dict.fromkeys(imports):
        node = ast.parse(statement).body[0]
        aliases = [a for a in node.names if (a.asname or a.name).split(".")[0] in used]
        if aliases:
            node.names = aliases
            kept.append(ast.unparse(node))
    return kept


def docstring(chapter: Chapter) -> str:
    title = chapter.title or f"Generated from {chapter.notebook}"
    parts = [title if title.endswith(".") else f"{title}."]
    if chapter.summary:
        parts.append(textwrap.fill(chapter.summary, width=84))
    text = "\n\n".join(parts)
    text = text.replace('"""', r"\"\"\"")
    prefix = "r" if "\\" in text else ""
    return f'{prefix}"""{text}\n"""' if "\n" in text else f'{prefix}"""{text}"""'


def render_module(chapter: Chapter) -> str:
    imports, bodies = [], []
    for block in chapter.blocks:
        found, rest = split_imports(block.source)
        imports += found
        if rest:
            bodies.append(
                f"# ---- {chapter.notebook}, cell {block.cell_id} ----\n{rest}"
            )
    body = "\n\n\n".join(bodies)
    names = public_names(body)
    lines = [
        f"# GENERATED from {chapter.notebook} by tools/export.py. DO NOT EDIT:",
        "# edit the chapter's cells tagged `export`, then run `make export`.",
        docstring(chapter),
        "",
        *unused_imports_removed(imports, body),
        "",
        "__all__ = [",
        *[f'    "{name}",' for name in names],
        "]",
        "",
        "",
        body,
    ]
    return tidy("\n".join(lines) + "\n", f"{PACKAGE}/{chapter.module}.py")


def tidy(text: str, filename: str) -> str:
    """Sort imports and format the generated text as the project's ruff config says.

    Generated modules pass the same checks as hand-written code; ruff reads its settings
    from pyproject.toml beside this file, so the result is the same from any folder.
    """
    config = ["--config", str(CONFIG)] if CONFIG.exists() else []
    for command in (
        ["check", "--select", "I", "--fix", "--quiet", "--exit-zero"],
        ["format", "--quiet"],
    ):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "ruff",
                *command,
                *config,
                "--stdin-filename",
                filename,
                "-",
            ],
            input=text,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise ExportError(
                f"ruff could not process {filename}: {result.stderr.strip()}"
            )
        text = result.stdout
    return text


def symbol_index(chapters: list[Chapter]) -> list[dict]:
    """name -> module, chapter and cell, for every public name (the API page reads
    it)."""
    index = []
    for ch in chapters:
        for block in ch.blocks:
            for name in public_names(split_imports(block.source)[1] or "pass"):
                index.append(
                    {
                        "name": name,
                        "module": f"{PACKAGE}.{ch.module}",
                        "chapter": ch.notebook.with_suffix("").as_posix(),
                        "title": ch.title,
                        "cell_id": block.cell_id,
                    }
                )
    return index


def render_init(chapters: list[Chapter], index: list[dict]) -> str:
    owner: dict[str, str] = {}
    for entry in index:
        module = entry["module"].rsplit(".", 1)[1]
        if entry["name"] in owner:
            raise ExportError(
                f"{entry['chapter']}.ipynb: `{entry['name']}` is exported by both "
                f"`{owner[entry['name']]}` and `{module}`; rename one."
            )
        owner[entry["name"]] = module
    lines = [
        "# GENERATED by tools/export.py. DO NOT EDIT: run `make export`.",
        '"""Superposition from scratch: the library the book\'s chapters build.',
        "",
        "One module a chapter, in reading order; every public name is re-exported "
        "here.",
        '"""',
        "",
        "# The imports follow the book's reading order, a block per chapter, not the",
        "# alphabet: the order in which a reader meets the names.",
        "# ruff: noqa: I001",
        "",
    ]
    for ch in chapters:
        names = [n for n, m in owner.items() if m == ch.module]
        lines.append(f"# {ch.notebook}")
        lines.append(f"from {PACKAGE}.{ch.module} import (")
        lines += [f"    {name}," for name in names]
        lines.append(")")
    lines += ["", "__all__ = ["]
    lines += [f'    "{name}",' for name in owner]
    lines += ["]", ""]
    return tidy("\n".join(lines), f"{PACKAGE}/__init__.py")


def build(root: Path, toc_path: Path) -> dict[str, str]:
    """Return {file name in the package: text} for the whole library."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    chapters = [c for doc in toc_documents(toc) if (c := read_chapter(root, doc))]
    seen: dict[str, Path] = {}
    for ch in chapters:
        if ch.module in seen:
            raise ExportError(
                f"{ch.notebook} and {seen[ch.module]} both export to module "
                f"`{ch.module}`: one chapter, one module."
            )
        seen[ch.module] = ch.notebook
    files = {f"{ch.module}.py": render_module(ch) for ch in chapters}
    index = symbol_index(chapters)
    files["__init__.py"] = render_init(chapters, index)
    files[INDEX_FILE] = json.dumps(index, indent=1, ensure_ascii=False) + "\n"
    return files


def generated_files(out: Path) -> set[str]:
    """The files of the package folder that the exporter owns."""
    if not out.exists():
        return set()
    return {p.name for p in out.glob("*.py")} | {p.name for p in out.glob(INDEX_FILE)}


def stale_files(files: dict[str, str], out: Path) -> list[str]:
    """Unified diffs between what the book generates and what is on disk (empty: in
    sync)."""
    diffs = []
    on_disk = generated_files(out)
    for name in sorted(set(files) | on_disk):
        path = out / name
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        new = files.get(name, "")
        if old != new:
            diffs.append(
                "".join(
                    difflib.unified_diff(
                        old.splitlines(True),
                        new.splitlines(True),
                        f"{out.name}/{name} (on disk)",
                        f"{out.name}/{name} (from the book)",
                    )
                )
            )
    return diffs


def write(files: dict[str, str], out: Path) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    changed = []
    for stale in generated_files(out) - set(files):
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
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 with a diff if the library differs from the book",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="repository root (holds _toc.yml)",
    )
    parser.add_argument(
        "--out", type=Path, help=f"package folder (default ROOT/{PACKAGE})"
    )
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
