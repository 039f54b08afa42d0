#!/usr/bin/env python3
"""Give every chapter a first code cell that installs the library where it is missing.

Chapters import `superposition_lib`. Opened from the book's Colab button, a chapter runs
where the project is not installed; this cell installs it from the repository named in
`_config.yml` (`repository.url`, the one place a fork edits). Where the library is
importable (a clone, Binder, the test suite) the cell does nothing. It is tagged
`remove-cell`: HTML readers never see it.

    python tools/setup_cell.py          # insert or update the cell in every chapter
    python tools/setup_cell.py --check  # exit 1 if a chapter's cell is missing or stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from execute import chapters  # noqa: E402

TAG = "setup"


def repository_url(root: Path = ROOT) -> str:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"].rstrip("/")


def setup_source(url: str) -> str:
    return (
        "# On Colab, or any Jupyter without this project: install the book's library "
        "first.\n"
        "import importlib.util\n"
        "\n"
        f'URL = "{url}"\n'
        'if importlib.util.find_spec("superposition_lib") is None:\n'
        '    %pip install --quiet "superposition-lib @ git+{URL}"'
    )


def setup_cell_index(nb) -> int | None:
    for index, cell in enumerate(nb.cells):
        if TAG in cell.metadata.get("tags", []):
            return index
    return None


def with_setup_cell(nb, source: str) -> bool:
    """Insert the cell before the first code cell, or refresh it; True if `nb`
    changed."""
    index = setup_cell_index(nb)
    if index is not None:
        if nb.cells[index].source == source:
            return False
        nb.cells[index].source = source
        return True
    first_code = next(
        (i for i, c in enumerate(nb.cells) if c.cell_type == "code"), len(nb.cells)
    )
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": [TAG, "remove-cell"]})
    nb.cells.insert(first_code, cell)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    source = setup_source(repository_url())
    stale = []
    for path in chapters():
        nb = nbformat.read(path, as_version=4)
        if with_setup_cell(nb, source):
            stale.append(path.relative_to(ROOT))
            if not args.check:
                nbformat.write(nb, path)
    if args.check and stale:
        print(
            "setup cell missing or stale (repository.url in _config.yml changed?) "
            "in:\n  "
            + "\n  ".join(map(str, stale))
            + "\nFix: python tools/setup_cell.py, then re-run the chapters "
            "(make execute).",
            file=sys.stderr,
        )
        return 1
    print(f"{'stale' if args.check else 'updated'}: {len(stale)} chapter(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
