"""The student edition (tools/student.py): solutions become stubs, checks stay, and each
student notebook runs until its first unsolved exercise and fails exactly there.

The solution notebooks passing their own checks is nbval's job (`make test` runs every
chapter). With STUDENT_RUN=1 (`make student`), each chapter's student edition is also
executed in a kernel, letting cells fail, and: nothing fails before the first stub;
every failing cell is a stub or an exercise check (so no later cell depends on a
solution); and the check right after each stubbed solution does fail (a check that
passes without a solution checks nothing).
"""

from __future__ import annotations

import ast
import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import student  # noqa: E402
from execute import chapters  # noqa: E402

CHAPTERS = chapters()
IDS = [path.stem for path in CHAPTERS]


def tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def is_stub(cell) -> bool:
    return student.STUB_TAG in tags(cell)


def is_check(cell) -> bool:
    return student.CHECK_TAG in tags(cell)


# ------------------------------------------------------------------------ the stubs


def test_function_keeps_signature_and_docstring_but_raises():
    source = (
        'import numpy as np\n\ndef f(x, *, k=2):\n    """Doc."""\n'
        "    return np.sum(x) * k\n"
    )
    stub = student.stub_source(source)
    namespace = {}
    exec(stub, namespace)
    assert "return np.sum" not in stub, (
        "the solution's body must not survive in the stub"
    )
    assert namespace["f"].__doc__ == "Doc.", (
        "the docstring tells the student what to write"
    )
    with pytest.raises(NotImplementedError):
        namespace["f"]([1.0], k=3)


def test_assignments_become_ellipsis_and_other_code_goes():
    stub = student.stub_source(
        "x = compute(3)\nprint(x)\nfor i in range(3):\n    pass\n"
    )
    assert "compute" not in stub and "print" not in stub and "for" not in stub
    namespace = {}
    exec(stub, namespace)
    assert namespace["x"] is Ellipsis


def test_class_methods_are_stubbed():
    stub = student.stub_source("class A:\n    def m(self):\n        return 1\n")
    namespace = {}
    exec(stub, namespace)
    with pytest.raises(NotImplementedError):
        namespace["A"]().m()


def test_code_with_nothing_to_keep_raises():
    for source in ("plt.plot([1, 2])\n", "%timeit f()\n"):
        with pytest.raises(NotImplementedError):
            exec(student.stub_source(source), {})


def test_markdown_solution_text_is_removed_and_directives_made_plain():
    text = (
        "Predict the sign.\n\n```{exercise-end}\n```\n\n```{solution-start} ex-sign\n"
        ":class: dropdown\n```\nIt is negative, because of the ReLU.\n\n"
        "```{solution-end}\n```\nAfter the solution.\n"
    )
    student_text, in_solution = student._student_markdown(text, False)
    assert "negative" not in student_text, "the answer of a predict-then-check must go"
    assert "{solution" not in student_text and "{exercise" not in student_text
    assert "Predict the sign." in student_text and "After the solution." in student_text
    assert not in_solution


def test_solution_spanning_cells():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                "```{solution-start} ex\n:class: dropdown\n```\n"
            ),
            nbformat.v4.new_markdown_cell("The answer is 42."),
            nbformat.v4.new_code_cell("answer = 42"),
            nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
            nbformat.v4.new_code_cell(
                "assert answer == 42", metadata={"tags": ["exercise-check"]}
            ),
        ]
    )
    cells = student.student_notebook(nb).cells
    text = "\n".join(cell.source for cell in cells)
    assert "42" not in text.replace("assert answer == 42", ""), text
    assert is_stub(cells[1]) and is_check(cells[2])


# ------------------------------------------------------------------------ every chapter


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    written = student.write_student_edition(CHAPTERS, out)
    return {
        path.stem: (
            nbformat.read(path, as_version=4),
            nbformat.read(ROOT / "book" / path.name, as_version=4),
        )
        for path in written
    }


@pytest.mark.parametrize("name", IDS)
def test_student_edition_keeps_checks_and_hides_solutions(editions, name):
    student_nb, full_nb = editions[name]
    solutions = [c for c in full_nb.cells if student.SOLUTION_TAG in tags(c)]
    checks = [c.source for c in full_nb.cells if is_check(c)]
    assert [c.source for c in student_nb.cells if is_check(c)] == checks, (
        "every exercise-check cell must be kept, unchanged"
    )
    assert sum(map(is_stub, student_nb.cells)) >= len(solutions)
    student_code = "\n".join(
        c.source for c in student_nb.cells if c.cell_type == "code"
    )
    other_code = "\n".join(
        c.source for c in full_nb.cells if c.cell_type == "code" and c not in solutions
    )
    for cell in solutions:
        returns = [
            n for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Return)
        ]
        for node in returns:
            line = ast.get_source_segment(cell.source, node)
            assert line not in student_code or line in other_code, (
                f"solution code left in the stub: {line}"
            )
    for cell in student_nb.cells:
        if is_stub(cell):
            ast.parse(cell.source)  # a stub must at least be valid Python
    assert "{solution-start}" not in json.dumps([c.source for c in student_nb.cells])


@pytest.mark.parametrize("name", IDS)
def test_student_edition_is_unchanged_before_the_first_exercise(editions, name):
    student_nb, full_nb = editions[name]

    def code(nb):
        return [c.source for c in nb.cells if c.cell_type == "code"]

    first = next(
        (
            i
            for i, c in enumerate(c for c in student_nb.cells if c.cell_type == "code")
            if is_stub(c)
        ),
        None,
    )
    if first is None:
        pytest.skip(f"{name} has no exercise with a code solution")
    assert code(student_nb)[:first] == code(full_nb)[:first]


def run_allowing_errors(nb: nbformat.NotebookNode) -> list[int]:
    """Execute `nb` in a fresh kernel (cwd book/); return the indices of cells that
    failed."""
    from nbclient import NotebookClient

    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(ROOT / "book")}},
    ).execute()
    return [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and any(out.get("output_type") == "error" for out in cell.get("outputs", []))
    ]


@pytest.mark.skipif(
    os.environ.get("STUDENT_RUN") != "1",
    reason=(
        "executing every student notebook repeats every chapter's run: "
        "`make student` does it (STUDENT_RUN=1), `make test` only checks the "
        "edition's structure"
    ),
)
@pytest.mark.parametrize("name", IDS)
def test_student_notebook_runs_until_its_first_unsolved_exercise(editions, name):
    nb = editions[name][0]
    failed = run_allowing_errors(nb)
    cells = nb.cells
    stubs = [i for i, c in enumerate(cells) if is_stub(c)]
    if not stubs:
        assert not failed, f"{name}: cells fail although nothing was removed: {failed}"
        return
    errors = {
        i: next(o for o in cells[i].outputs if o.output_type == "error") for i in failed
    }
    early = [i for i in failed if i < stubs[0]]
    assert not early, (
        f"{name}: cell {early[0]} fails before the first exercise: "
        f"{errors[early[0]].ename}: {errors[early[0]].evalue}"
    )
    stray = [i for i in failed if not (is_stub(cells[i]) or is_check(cells[i]))]
    assert not stray, (
        f"{name}: cell {stray[0]} is neither a stub nor a check but fails "
        f"without the solutions ({errors[stray[0]].ename}: "
        f"{errors[stray[0]].evalue}); only a solution's check may use it"
    )
    for i in stubs:
        check = next(
            (j for j in range(i + 1, len(cells)) if cells[j].cell_type == "code"), None
        )
        if check is not None and is_check(cells[check]):
            assert check in failed or i in failed, (
                f"{name}: the check in cell {check} passes with the solution in "
                f"cell {i} stubbed out: it cannot tell a student that the exercise is "
                "not done"
            )
