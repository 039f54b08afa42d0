#!/usr/bin/env python3
"""Write the student edition: every chapter with its exercise solutions replaced by \
stubs.

    python tools/student.py                          # every chapter -> _build/student/
    python tools/student.py book/01_data.ipynb --out /tmp/student

In each chapter, a code cell tagged `solution` (or any code cell inside a
{solution-start}...{solution-end} block) becomes a stub: its imports stay, each function
keeps its signature and docstring but its body raises NotImplementedError, each
top-level assignment becomes `name = ...`, and the rest is dropped. The text of the
solution (a predict-then-check answer, say) is removed. The cells tagged
`exercise-check` stay, so a learner who runs a chapter gets, at the first exercise, the
check's message naming the likely mistake. Exercise and solution directives become plain
Markdown, since Jupyter does not render MyST directives. Outputs of the solution and
check cells are cleared; the other cells keep theirs (figures to compare with). The
teacher's edition is the book itself.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from execute import chapters  # noqa: E402

SOLUTION_TAG, CHECK_TAG = "solution", "exercise-check"
STUB_TAG = "student-stub"  # marks the cells this tool wrote, for tests and teachers
OPENER = re.compile(
    r"^(`{3,}|:{3,})\{(exercise-start|exercise-end|solution-start|solution-end)\}"
)
EXERCISE_HEADING = "**Exercise.**"
YOUR_TURN = (
    "**Your turn.** Work it out before you run the check in the next cells; when it "
    "fails, its message names the likely mistake. (The solution is in the book.)"
)
STUB_HEADER = (
    "# Your solution: replace each `raise NotImplementedError` and each `...`.\n"
)
NOT_IMPLEMENTED = (
    'raise NotImplementedError("exercise: write this, then run the check below")'
)


# ------------------------------------------------------------------------ stubbing code


def _stub_function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
    """The same def (signature, decorators, docstring) with a body that raises."""
    docstring = ast.get_docstring(node, clean=False)
    body = [ast.Expr(ast.Constant(docstring))] if docstring is not None else []
    body.append(ast.parse(NOT_IMPLEMENTED).body[0])
    stub = copy.copy(node)
    stub.body = body
    return stub


def _stub_class(node: ast.ClassDef) -> ast.ClassDef:
    stub = copy.copy(node)
    stub.body = [_stub_statement(child) for child in node.body]
    stub.body = [s for s in stub.body if s is not None] or [ast.Pass()]
    return stub


def _stub_statement(node: ast.stmt) -> ast.stmt | None:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return node
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return _stub_function(node)
    if isinstance(node, ast.ClassDef):
        return _stub_class(node)
    if (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ):
        return node  # a docstring
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if all(isinstance(t, (ast.Name, ast.Tuple)) for t in targets):
            return ast.Assign(
                targets=targets, value=ast.Constant(...), lineno=node.lineno
            )
    return None


def stub_source(source: str) -> str:
    """The stub of a solution cell's source (see the module docstring)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics: keep nothing but the instruction
        return STUB_HEADER + NOT_IMPLEMENTED + "\n"
    kept = [stub for node in tree.body if (stub := _stub_statement(node)) is not None]
    if not any(
        isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign))
        for n in kept
    ):
        kept.append(ast.parse(NOT_IMPLEMENTED).body[0])
    body = "\n\n\n".join(ast.unparse(ast.fix_missing_locations(node)) for node in kept)
    return STUB_HEADER + body + "\n"


# ------------------------------------------------------------------------ the notebook


def _directive_blocks(text: str):
    """Split Markdown into (kind, text) pieces; kind is a directive name or None for
    prose."""
    lines, i, prose = text.splitlines(keepends=True), 0, []
    while i < len(lines):
        match = OPENER.match(lines[i].strip())
        if not match:
            prose.append(lines[i])
            i += 1
            continue
        if prose:
            yield None, "".join(prose)
            prose = []
        fence, kind, j = match.group(1), match.group(2), i + 1
        while j < len(lines) and lines[j].strip() != fence:
            j += 1
        yield kind, "".join(lines[i : j + 1])
        i = j + 1
    if prose:
        yield None, "".join(prose)


def _student_markdown(text: str, in_solution: bool) -> tuple[str, bool]:
    """Markdown with solution text removed and exercise directives made plain."""
    out = []
    for kind, piece in _directive_blocks(text):
        if kind == "exercise-start":
            out.append(EXERCISE_HEADING + "\n")
        elif kind == "solution-start":
            in_solution = True
            out.append(YOUR_TURN + "\n")
        elif kind == "solution-end":
            in_solution = False
        elif kind is None and not in_solution:
            out.append(piece)
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip() + "\n", in_solution


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of `nb` with every solution replaced by a stub (see the module
    docstring)."""
    nb = copy.deepcopy(nb)
    cells, in_solution = [], False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source, in_solution = _student_markdown(cell.source, in_solution)
            if cell.source.strip():
                cells.append(cell)
            continue
        tags = _tags(cell)
        if cell.cell_type == "code" and (SOLUTION_TAG in tags or in_solution):
            cell.source = stub_source(cell.source)
            cell.metadata["tags"] = sorted((tags - {SOLUTION_TAG}) | {STUB_TAG})
        if cell.cell_type == "code" and (
            tags & {SOLUTION_TAG, CHECK_TAG} or in_solution
        ):
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    nb.cells = cells
    return nb


def write_student_edition(notebooks: list[Path], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        target = out / path.name
        nbformat.write(student_notebook(nbformat.read(path, as_version=4)), target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "student")
    args = parser.parse_args(argv)
    for path in write_student_edition(args.notebooks or chapters(), args.out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
