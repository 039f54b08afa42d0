"""The exporter: book cells tagged `export` -> one module per chapter, and `--check`."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import export  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "export_book"


@pytest.fixture
def book(tmp_path):
    """A private copy of the two-chapter fixture book, safe to modify."""
    shutil.copytree(FIXTURE, tmp_path / "book_root")
    return tmp_path / "book_root"


def run_export(root, *args):
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "export.py"),
            "--root",
            str(root),
            "--out",
            str(root / "lib"),
            *args,
        ],
        capture_output=True,
        text=True,
    )


def edit_cell(notebook, index, source):
    nb = json.loads(notebook.read_text())
    nb["cells"][index]["source"] = source
    notebook.write_text(json.dumps(nb))


def test_fixture_book_exports_to_the_expected_modules(book):
    files = export.build(book, book / "_toc.yml")
    expected = {p.name: p.read_text() for p in (FIXTURE / "expected").iterdir()}
    assert files == expected


def test_modules_follow_toc_order_and_metadata_names(book):
    init = export.build(book, book / "_toc.yml")["__init__.py"]
    alpha, gamma = "from superposition_lib.alpha", "from superposition_lib.gamma"
    assert init.index(alpha) < init.index(gamma), "modules must follow _toc.yml"


def test_generated_package_imports_and_works(book, tmp_path):
    lib = tmp_path / "pkgroot" / "superposition_lib"
    export.write(export.build(book, book / "_toc.yml"), lib)
    code = "import superposition_lib as s; print(s.quadruple(1), sorted(s.__all__))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=lib.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "4 ['SCALE', 'Scaler', 'double', 'quadruple']"


def test_check_passes_when_in_sync_and_fails_when_stale(book):
    assert run_export(book).returncode == 0
    assert run_export(book, "--check").returncode == 0
    edit_cell(book / "book" / "01_alpha.ipynb", 1, "def double(x):\n    return x + x\n")
    stale = run_export(book, "--check")
    assert stale.returncode == 1
    assert "return x + x" in stale.stderr, "the diff must show the changed line"
    assert "make export" in stale.stderr, "the message must say how to fix it"


def test_check_flags_a_hand_edited_library_file(book):
    run_export(book)
    (book / "lib" / "alpha.py").write_text("# patched by hand\n")
    assert run_export(book, "--check").returncode == 1


def test_check_flags_a_module_whose_chapter_is_gone(book):
    run_export(book)
    (book / "lib" / "orphan.py").write_text("x = 1\n")
    result = run_export(book, "--check")
    assert result.returncode == 1 and "orphan.py" in result.stderr


@pytest.mark.parametrize(
    "source, complaint",
    [
        ("%timeit double(2)", "magic"),
        ("!ls", "magic"),
        ("def broken(:\n    pass", "syntax error"),
    ],
)
def test_unexportable_cells_are_rejected_with_notebook_and_cell_named(
    book, source, complaint
):
    edit_cell(book / "book" / "01_alpha.ipynb", 3, source)
    result = run_export(book)
    assert result.returncode == 2
    assert complaint in result.stderr
    assert "book/01_alpha.ipynb, cell c3" in result.stderr
    assert not (book / "lib").exists(), "nothing may be written when the export fails"


def test_a_name_exported_by_two_modules_is_rejected(book):
    edit_cell(book / "book" / "02_beta.ipynb", 1, "def double(x):\n    return 2 * x\n")
    with pytest.raises(export.ExportError, match="`double` is exported by both"):
        export.build(book, book / "_toc.yml")


def test_public_names_skip_private_and_imported_names():
    source = (
        "import numpy as np\nfrom x import y\nA = 1\n_b = 2\n"
        "def f(): pass\nclass C: pass\n"
    )
    assert export.public_names(source) == ["A", "f", "C"]


def test_real_library_is_in_sync_with_the_book():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "export.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def insert_empty_cell_at_top(notebook):
    nb = json.loads(notebook.read_text())
    empty = {
        "cell_type": "code",
        "id": "inserted",
        "metadata": {},
        "source": "",
        "execution_count": None,
        "outputs": [],
    }
    nb["cells"].insert(0, empty)
    notebook.write_text(json.dumps(nb))


def test_inserting_a_cell_changes_no_generated_file(book):
    before = export.build(book, book / "_toc.yml")
    for notebook in (book / "book").glob("*.ipynb"):
        insert_empty_cell_at_top(notebook)
    assert export.build(book, book / "_toc.yml") == before


def test_inserting_a_cell_in_any_real_chapter_changes_no_library_file(tmp_path):
    """The markers name cells by id, not position (no churn when a chapter grows)."""
    shutil.copytree(ROOT / "book", tmp_path / "book")
    shutil.copy(ROOT / "_toc.yml", tmp_path / "_toc.yml")
    before = export.build(tmp_path, tmp_path / "_toc.yml")
    for notebook in (tmp_path / "book").glob("*.ipynb"):
        insert_empty_cell_at_top(notebook)
    after = export.build(tmp_path, tmp_path / "_toc.yml")
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"inserting a cell rewrote {changed}"


def test_imports_are_gathered_at_the_top_and_unused_ones_dropped(book):
    alpha = export.build(book, book / "_toc.yml")["alpha.py"]
    assert "import os" not in alpha, "an import the module never uses must not survive"
    assert alpha.count("import numpy as np") == 1, "one import per name, at the top"
    assert alpha.index("import numpy") < alpha.index("# ---- "), (
        "imports before the code"
    )


def test_module_docstring_is_the_chapter_title_and_first_paragraph(book):
    alpha = export.build(book, book / "_toc.yml")["alpha.py"]
    assert '"""Alpha: the first chapter.\n\nProse.\n"""' in alpha


def test_all_lists_one_name_per_line(book):
    alpha = export.build(book, book / "_toc.yml")["alpha.py"]
    assert '__all__ = [\n    "double",\n    "SCALE",\n    "Scaler",\n]' in alpha


def test_symbol_index_names_module_chapter_and_cell(book):
    index = json.loads(export.build(book, book / "_toc.yml")[export.INDEX_FILE])
    assert {
        "name": "quadruple",
        "module": "superposition_lib.gamma",
        "chapter": "book/02_beta",
        "title": "Beta",
        "cell_id": "c1",
    } in index
    assert [e["name"] for e in index] == ["double", "SCALE", "Scaler", "quadruple"]


def test_an_exported_cell_without_an_id_is_rejected(book):
    notebook = book / "book" / "01_alpha.ipynb"
    nb = json.loads(notebook.read_text())
    del nb["cells"][1]["id"]
    notebook.write_text(json.dumps(nb))
    with pytest.raises(export.ExportError, match="needs an id"):
        export.build(book, book / "_toc.yml")


def test_generated_modules_pass_the_project_lint(book, tmp_path):
    lib = tmp_path / "superposition_lib"
    export.write(export.build(book, book / "_toc.yml"), lib)
    config = ["--config", str(ROOT / "pyproject.toml")]
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command, *config, str(lib)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_readme_lists_every_chapter_with_its_module():
    toc = export.yaml.safe_load((ROOT / "_toc.yml").read_text())
    chapters = [
        c for doc in export.toc_documents(toc) if (c := export.read_chapter(ROOT, doc))
    ]
    actual = [(str(c.notebook), f"superposition_lib/{c.module}.py") for c in chapters]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = re.findall(
        r"^\| `(book/\S+\.ipynb)` \| `(superposition_lib/\w+\.py)` \|", readme, re.M
    )
    assert listed == actual, "README's chapter | module table must match the exporter"
