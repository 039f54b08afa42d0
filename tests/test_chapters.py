"""Every chapter keeps the book's promises: how a chapter reads, and how it is
committed.

A chapter states its equations in LaTeX, implements them in `export` cells whose
functions have docstrings, checks them with assertions, draws a figure, ends with
exercises whose solutions sit behind a toggle, and is committed executed top to bottom
with normalised metadata.
"""

import ast
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from export import toc_documents  # noqa: E402

NOTEBOOKS = [
    ROOT / f"{doc}.ipynb"
    for doc in toc_documents(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    if (ROOT / f"{doc}.ipynb").exists()
]
# The getting-started notebooks (00_) are conventions, and a reference notebook (no
# chapter number: book/reproduce) is a reference page, not a chapter with exercises.
CHAPTER_NUMBER = re.compile(r"(0[1-9]|[1-9]\d)_")
CHAPTERS = [nb for nb in NOTEBOOKS if CHAPTER_NUMBER.match(nb.name)]


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    return (
        "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    )


def tagged(nb, tag):
    return [c for c in nb["cells"] if tag in c.get("metadata", {}).get("tags", [])]


def markdown(nb):
    return "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_every_toc_notebook_is_found():
    assert NOTEBOOKS, "no chapters found: is _toc.yml readable?"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_executed_top_to_bottom(path):
    code = [c for c in load(path)["cells"] if c["cell_type"] == "code"]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name} is not committed freshly executed top to bottom: "
        f"run `.venv/bin/python tools/execute.py {path.relative_to(ROOT)}`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_metadata_is_normalised(path):
    nb = load(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert "jupytext" not in nb["metadata"]
    for cell in nb["cells"]:
        assert "execution" not in cell.get("metadata", {}), (
            f"{path.name}: volatile metadata; run tools/execute.py --normalize-only"
        )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_reads_as_the_design_says(path):
    nb = load(path)
    first = source(nb["cells"][0])
    assert first.startswith("# "), (
        f"{path.name}: the first cell must be the chapter's # title"
    )
    text = markdown(nb)
    assert "$$" in text or "\\begin{" in text, f"{path.name}: no displayed equation"
    assert "{cite}" in text, f"{path.name}: cite where the idea comes from"
    code = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "code")
    assert re.search(r"^\s*assert ", code, re.M), (
        f"{path.name}: no check cell with an assert"
    )
    images = [
        o
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    assert images, f"{path.name}: no figure"
    checked = tagged(nb, "nbval-check-output")
    assert checked and all(c["outputs"] for c in checked), (
        f"{path.name}: needs a cell tagged nbval-check-output that prints its key "
        "numbers"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_exported_functions_have_docstrings(path):
    for cell in tagged(load(path), "export"):
        for node in ast.parse(source(cell)).body:
            if isinstance(
                node, (ast.FunctionDef, ast.ClassDef)
            ) and not node.name.startswith("_"):
                assert ast.get_docstring(node), (
                    f"{path.name}: `{node.name}` has no docstring"
                )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_exercises_have_hidden_solutions_and_checks(path):
    nb = load(path)
    text = markdown(nb)
    exercises = re.findall(r"\{exercise-start\}\s*\n:label:\s*(\S+)", text)
    solutions = re.findall(r"\{solution-start\}\s*(\S+)", text)
    assert len(exercises) >= 2, (
        f"{path.name}: needs 2-4 exercises, found {len(exercises)}"
    )
    assert set(solutions) == set(exercises), (
        f"{path.name}: every exercise needs one solution"
    )
    assert text.count(":class: dropdown") >= len(solutions), (
        "solutions must sit behind a toggle"
    )
    if tagged(nb, "solution"):
        assert tagged(nb, "exercise-check"), (
            f"{path.name}: code solutions need a check cell"
        )


def test_every_chapter_can_install_the_library_where_it_is_missing():
    """The Colab button opens a chapter where superposition_lib is not installed."""
    import subprocess

    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "setup_cell.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_fits_the_book_column(path):
    """web/book.css sizes the code font so that 88 characters fit the column."""
    for index, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] != "code":
            continue
        for line in source(cell).splitlines():
            assert len(line) <= 88, (
                f"{path.name} cell {index}: {len(line)} > 88 chars: {line}"
            )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_opens_with_what_it_teaches_and_assumes(path):
    """A reader (and a teacher planning a session) sees the chapter's goals up front."""
    first = source(load(path)["cells"][0])
    assert "```{admonition} In this chapter" in first, (
        f"{path.name}: the first cell needs the 'In this chapter' box"
    )
    assert "**After it you can**" in first and "**It assumes**" in first, (
        f"{path.name}: the box says what the reader can do after it and what it assumes"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_links_its_terms_to_the_glossary(path):
    text = markdown(load(path))
    glossary = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    block = glossary.split("```{glossary}", 1)[1].split("```", 1)[0]
    terms = {
        line.strip().lower() for line in block.splitlines() if line and line[0] != " "
    }
    links = re.findall(r"\{term\}`([^`]+)`", text)
    assert links, f"{path.name}: link a term's first use to the glossary with {{term}}"
    for link in links:
        target = re.sub(r"^.*<(.+)>$", r"\1", link).strip().lower()
        assert target in terms, f"{path.name}: {{term}}`{link}` is not in the glossary"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_plotting_code_is_collapsed(path):
    """Cells that only draw are tagged hide-input: the reader sees the figure."""
    nb = load(path)
    drawing = [
        c
        for c in nb["cells"]
        if c["cell_type"] == "code"
        and any("image/png" in o.get("data", {}) for o in c.get("outputs", []))
    ]
    hidden = [c for c in drawing if "hide-input" in c["metadata"].get("tags", [])]
    assert hidden, f"{path.name}: no figure cell is collapsed (tag hide-input)"
