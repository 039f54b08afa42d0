"""The rendered book, tested in a real browser, offline.

The book is built once from the chapters' committed outputs (`book_build.py`), served
over loopback, and every page of `_toc.yml` is loaded in Chromium with every
non-loopback request blocked, so a page that needs the network fails here. For each
page: no console errors or failed requests, every image decoded, every formula typeset
by MathJax, every widget rendered, and the static sparsity explorer changes its frame
when its slider moves. Screenshots go to `_build/screenshots/` (the test's artifacts:
look at them). The build's Sphinx warnings, the internal links and the launch buttons
are checked without a browser.

To test `make book`'s executed build instead:
`BOOK_HTML=_build/html pytest tests/browser`.

Chromium: Debian's `/usr/bin/chromium` (or $CHROMIUM), driven by Playwright for Python.
Where none is installed the browser tests are skipped with a message; `.ci/run` installs
it. Never `playwright install` (it downloads a browser).
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import json
import os
import re
import shutil
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import book_build as build  # noqa: E402  (tests/browser/book_build.py)

ROOT = build.ROOT
sys.path.insert(0, str(ROOT / "tools"))
from export import toc_documents  # noqa: E402

SCREENSHOTS = ROOT / "_build" / "screenshots"
PRODUCT = os.environ.get("BOOK_HTML")  # test an existing build instead of building one
HTML = Path(PRODUCT).resolve() if PRODUCT else build.HTML
CHROMIUM_NAMES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
NO_CHROMIUM = (
    "no Chromium found, so the real-browser test of the book is SKIPPED. Install "
    "Debian's `chromium` package (`apt-get install chromium`, as .ci/run does) or "
    "set CHROMIUM=/path/to/chrome."
)
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
DOCS = toc_documents(yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8")))

pytestmark = pytest.mark.browser


def source_of(doc: str) -> Path | None:
    return next(
        (p for s in (".ipynb", ".md") if (p := ROOT / f"{doc}{s}").exists()), None
    )


def written(doc: str) -> Path:
    """The page's source, or skip: chapters appear one by one while the book is
    written."""
    source = source_of(doc)
    if source is None:
        pytest.skip(f"{doc} is not written yet")
    return source


# ------------------------------------------------------------- the build and its server


@pytest.fixture(scope="module")
def built():
    """Build the test copy of the book, holding a lock until this module's tests are
    done: two `make test` runs at once (a shared machine) take turns instead of deleting
    each other's build. With BOOK_HTML=dir, test that build instead (e.g. `make book`'s
    _build/html) and build nothing."""
    if PRODUCT:
        if not (HTML / "index.html").exists():
            pytest.fail(f"BOOK_HTML={HTML} holds no built book")
        yield 0, ""
        return
    build.OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(build.OUT.parent / "test.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        status, warnings, seconds = build.build()
        print(f"test build: {seconds:.0f} s, exit status {status}")
        if not (HTML / "index.html").exists():
            pytest.fail(
                f"the book did not build; see {build.LOG.relative_to(ROOT)}:\n"
                f"{warnings}"
            )
        yield status, warnings


@pytest.fixture(scope="module")
def server(built):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def find_chromium() -> str | None:
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium()
    if executable is None:
        print(f"\n*** {NO_CHROMIUM} ***", file=sys.stderr)
        pytest.skip(NO_CHROMIUM)
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python is in the `test` extra"
    )
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class LoadedPage:
    """A page loaded offline, with everything that went wrong while loading it."""

    def __init__(self, browser, url: str, origin: str):
        self.problems: list[str] = []
        self.context = browser.new_context(viewport={"width": 1200, "height": 900})
        self.page = page = self.context.new_page()
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(origin)
                or route.request.url.startswith(("data:", "blob:"))
                else self.block(route)
            ),
        )
        page.on(
            "console",
            lambda msg: (
                msg.type == "error"
                and self.problems.append(
                    f"console error: {msg.text} ({msg.location.get('url')})"
                )
            ),
        )
        page.on(
            "pageerror", lambda err: self.problems.append(f"uncaught exception: {err}")
        )
        page.on(
            "requestfailed",
            lambda req: self.problems.append(
                f"request failed: {req.url} ({req.failure})"
            ),
        )
        page.on(
            "response",
            lambda resp: (
                resp.status >= 400
                and self.problems.append(f"HTTP {resp.status}: {resp.url}")
            ),
        )
        page.goto(url, wait_until="load")
        self.wait_for_mathjax()
        self.wait_for_widgets()

    def block(self, route):
        self.problems.append(
            f"network request outside the book (not offline): {route.request.url}"
        )
        route.abort()

    def wait_for_mathjax(self):
        self.page.evaluate("""() => (window.MathJax && MathJax.startup
                                     && MathJax.startup.promise)
                              ? MathJax.startup.promise.then(() => true) : false""")

    def wait_for_widgets(self):
        views = self.page.locator(
            'script[type="application/vnd.jupyter.widget-view+json"]'
        )
        if views.count():
            self.page.wait_for_function(
                """() => Array.from(document.querySelectorAll(
                     'script[type="application/vnd.jupyter.widget-view+json"]')).every(
                     s => s.parentElement.querySelector('.jupyter-widgets'))""",
                timeout=30_000,
            )

    def close(self):
        self.context.close()


@pytest.fixture
def loaded(browser, server):
    pages = []

    def load(doc):
        page = LoadedPage(browser, f"{server}/{doc}.html", server)
        pages.append(page)
        return page

    yield load
    for page in pages:
        page.close()


# ------------------------------------------------------------- tests without a browser


def test_build_has_no_warnings(built):
    if PRODUCT:
        pytest.skip(
            "BOOK_HTML is set: the build's warnings were checked when it was built"
        )
    status, warnings = built
    assert status == 0 and not warnings, (
        f"the book's build has warnings (they fail `make book` too); full log in "
        f"{build.LOG.relative_to(ROOT)}:\n{warnings}"
    )


class Links(HTMLParser):
    """Collects the ids of a page and the local targets of its links and resources."""

    ATTRS = {
        "a": "href",
        "img": "src",
        "script": "src",
        "link": "href",
        "source": "src",
    }

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.targets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        target = attrs.get(self.ATTRS.get(tag, ""))
        if target and not urlsplit(target).scheme and not target.startswith("//"):
            self.targets.append(target)


@functools.cache
def parsed(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8", errors="replace"))
    return links


def broken_links(html_root: Path) -> list[str]:
    broken = []
    for page in sorted(html_root.rglob("*.html")):
        if {"_static", "_sources"} & set(page.relative_to(html_root).parts):
            continue
        for target in parsed(page).targets:
            url, fragment = urldefrag(target)
            url = urlsplit(url).path  # drop ?v=... cache busters
            path = (page.parent / unquote(url)).resolve() if url else page
            where = f"{page.relative_to(html_root)} -> {target}"
            if not path.exists():
                broken.append(f"{where}: no such file")
            elif (
                fragment
                and path.suffix == ".html"
                and unquote(fragment) not in parsed(path).ids
            ):
                broken.append(f"{where}: no anchor #{fragment}")
    return broken


def test_no_broken_internal_links(built):
    broken = broken_links(HTML)
    assert not broken, "broken links in the built book:\n" + "\n".join(broken)


CHAPTERS = [doc for doc in DOCS if Path(doc).name[:2].isdigit()]


@pytest.mark.parametrize("doc", CHAPTERS)
def test_launch_and_download_buttons(built, doc):
    if written(doc).suffix != ".ipynb":
        pytest.skip(f"{doc} is not a notebook")
    repo = urlsplit(CONFIG["repository"]["url"]).path.strip("/")
    branch = CONFIG["repository"].get("branch", "main")
    html = (HTML / f"{doc}.html").read_text(encoding="utf-8")
    expected = {
        "Binder": f"mybinder.org/v2/gh/{repo}/{branch}?urlpath=lab/tree/{doc}.ipynb",
        "Colab": f"colab.research.google.com/github/{repo}/blob/{branch}/{doc}.ipynb",
        "download .ipynb": f"_sources/{doc}.ipynb",
    }
    missing = [name for name, link in expected.items() if link not in html]
    assert not missing, (
        f"{doc}: no {', '.join(missing)} button (launch_buttons and html in "
        f"_config.yml; the repository url there must be a GitHub URL)"
    )


MARKDOWN_TABLE = re.compile(r"^\|.*\|[ \t]*\n\|[-:| \t]+\|[ \t]*$", re.M)


def markdown_output_tables(doc: str) -> int:
    """How many tables the notebook's Markdown(...) outputs print (claims tables)."""
    source = source_of(doc)
    if source is None or source.suffix != ".ipynb":
        return 0
    cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
    return sum(
        len(MARKDOWN_TABLE.findall("".join(output["data"]["text/markdown"])))
        for cell in cells
        for output in cell.get("outputs", [])
        if "text/markdown" in output.get("data", {})
    )


class _OutputTables(HTMLParser):
    """Counts <table> elements inside the cells' output areas of a page."""

    def __init__(self):
        super().__init__()
        self.divs, self.inside, self.tables = 0, [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "div":
            self.divs += 1
            if "cell_output" in (dict(attrs).get("class") or "").split():
                self.inside.append(self.divs)
        elif tag == "table" and self.inside:
            self.tables += 1

    def handle_endtag(self, tag):
        if tag == "div":
            if self.inside and self.inside[-1] == self.divs:
                self.inside.pop()
            self.divs -= 1


TABLE_DOCS = [doc for doc in DOCS if markdown_output_tables(doc)]


@pytest.mark.parametrize("doc", TABLE_DOCS)
def test_tables_printed_by_cells_render_as_tables(built, doc):
    # myst-nb parses a cell's Markdown output as CommonMark unless told otherwise
    # (nb_render_markdown_format), and CommonMark has no tables: lines of pipes
    parser = _OutputTables()
    parser.feed((HTML / f"{doc}.html").read_text(encoding="utf-8"))
    assert parser.tables >= markdown_output_tables(doc), (
        f"{doc}: {markdown_output_tables(doc)} Markdown tables in the outputs, "
        f"{parser.tables} rendered as <table> (nb_render_markdown_format: myst in "
        "_config.yml)"
    )


def test_some_cells_print_tables():
    assert len(TABLE_DOCS) >= 10, f"claims tables found only in {TABLE_DOCS}"


def test_every_chapter_has_exercises():
    """Issue 7: 2-4 exercises in each chapter of Parts I-III, solutions hidden."""
    problems = []
    for doc in [doc for doc in CHAPTERS if not Path(doc).name.startswith("00")]:
        source = source_of(doc)
        if source is None or source.suffix != ".ipynb":
            continue
        cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
        text = "\n".join(
            "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
        )
        n_exercises = text.count("{exercise-start}")
        n_solutions = text.count("{solution-start}")
        if not 2 <= n_exercises <= 4:
            problems.append(f"{doc}: {n_exercises} exercises (want 2-4)")
        if n_solutions < n_exercises:
            problems.append(
                f"{doc}: {n_exercises} exercises but {n_solutions} solutions"
            )
        if ":class: dropdown" not in text and n_solutions:
            problems.append(f"{doc}: solutions should be hidden (`:class: dropdown`)")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------- tests in the browser

IMAGES_NOT_LOADED = """() => Array.from(document.images)
    .filter(img => !(img.complete && img.naturalWidth > 0))
    .map(img => img.src.slice(0, 120))"""
MATH_NOT_TYPESET = """() => Array.from(document.querySelectorAll('.math'))
    .filter(el => !el.querySelector('mjx-container'))
    .map(el => el.textContent.slice(0, 80))"""
MATH_ERRORS = """() => Array.from(document.querySelectorAll('mjx-merror'))
    .map(el => (el.getAttribute('data-mjx-error') || el.textContent).slice(0, 120))"""
RAW_TEX = """() => {
    const article = document.querySelector('article') || document.body;
    const copy = article.cloneNode(true);
    copy.querySelectorAll(
        'pre, code, script, style, mjx-container, .highlight, textarea'
    ).forEach(el => el.remove());
    const text = copy.textContent;
    return ['$$', '\\\\[', '\\\\(', '\\\\begin{'].filter(s => text.includes(s)); }"""
WIDGET_ERRORS = """() => Array.from(
        document.querySelectorAll('.jupyter-widgets, .widget-subarea'))
    .filter(el => /Error displaying widget|model not found/i.test(el.textContent))
    .map(el => el.textContent.slice(0, 120))"""


@pytest.mark.parametrize("doc", DOCS)
def test_page_in_browser(built, loaded, doc):
    written(doc)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = loaded(doc)
    page.page.screenshot(path=SCREENSHOTS / f"{Path(doc).name}.png", full_page=True)
    problems = list(page.problems)
    problems += [
        f"image not loaded: {src}" for src in page.page.evaluate(IMAGES_NOT_LOADED)
    ]
    problems += [
        f"formula not typeset: {tex}" for tex in page.page.evaluate(MATH_NOT_TYPESET)
    ]
    problems += [f"MathJax error: {msg}" for msg in page.page.evaluate(MATH_ERRORS)]
    problems += [
        f"raw TeX left in the text: {s!r}" for s in page.page.evaluate(RAW_TEX)
    ]
    problems += [f"widget error: {msg}" for msg in page.page.evaluate(WIDGET_ERRORS)]
    assert not problems, f"{doc}.html:\n" + "\n".join(problems)


def explorers(page):
    """Rendered widget areas holding a slider and an image: the kernel-free
    explorers."""
    areas = page.locator(".widget-subarea").filter(has=page.locator(".noUi-handle"))
    return [
        areas.nth(i)
        for i in range(areas.count())
        if areas.nth(i).locator("img.widget-image").count()
    ]


def widget_state(doc: str) -> dict:
    source = source_of(doc)
    if source is None or source.suffix != ".ipynb":
        return {}
    metadata = json.loads(source.read_text(encoding="utf-8"))["metadata"]
    return metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}
    )


def has_explorer(doc: str) -> bool:
    """True when the notebook's widget state links a slider to a Stack (the
    explorer)."""
    models = widget_state(doc).get("state", {})
    names = {key: m.get("model_name") for key, m in models.items()}
    for model in models.values():
        if model.get("model_name") == "LinkModel":
            linked = {
                names.get(str(end[0]).removeprefix("IPY_MODEL_"))
                for end in (model["state"]["source"], model["state"]["target"])
            }
            if "StackModel" in linked and any("Slider" in (n or "") for n in linked):
                return True
    return False


EXPLORER_DOCS = [doc for doc in DOCS if has_explorer(doc)]


def test_the_book_has_a_sparsity_explorer():
    part_two = [
        doc
        for doc in ("book/08_superposition", "book/09_phase_changes")
        if source_of(doc)
    ]
    if len(part_two) < 2:
        pytest.skip("the Part II chapters are not both written yet")
    assert EXPLORER_DOCS, (
        "no chapter has the static sparsity explorer (an IntSlider jslinked "
        "to a Stack of Image widgets, with its widget state saved in the "
        "notebook by tools/execute.py)"
    )


@pytest.mark.parametrize(
    "doc",
    EXPLORER_DOCS
    or [
        pytest.param(
            None,
            marks=pytest.mark.skip(
                reason="no chapter has a slider-and-Stack explorer yet"
            ),
        )
    ],
)
def test_explorer_changes_frame_when_slider_moves(built, loaded, doc):
    page = loaded(doc).page
    found = explorers(page)
    assert found, f"{doc}: the notebook links a slider to a Stack, but none rendered"
    for number, area in enumerate(found):
        handle, image = (
            area.locator(".noUi-handle").first,
            area.locator("img.widget-image"),
        )
        area.scroll_into_view_if_needed()
        before = image.first.screenshot()
        value = handle.get_attribute("aria-valuenow")
        handle.focus()
        page.keyboard.press(
            "ArrowRight"
            if value != handle.get_attribute("aria-valuemax")
            else "ArrowLeft"
        )
        page.wait_for_timeout(300)
        assert handle.get_attribute("aria-valuenow") != value, (
            f"{doc}: explorer {number}: the slider did not move"
        )
        assert image.count() == 1 and image.first.evaluate("i => i.naturalWidth > 0"), (
            f"{doc}: explorer {number}: the Stack should show exactly one loaded frame"
        )
        assert image.first.screenshot() != before, (
            f"{doc}: explorer {number}: moving the slider did not change the frame "
            "(jslink?)"
        )
        area.screenshot(path=SCREENSHOTS / f"{Path(doc).name}-explorer{number}.png")


EXERCISE_TITLE = re.compile(
    r'<div class="exercise admonition"[^>]*>\s*<p class="admonition-title">'
    r'<span class="caption-number">Exercise ([0-9.]+) </span>'
)


@pytest.mark.parametrize("doc", CHAPTERS)
def test_exercises_are_numbered_per_chapter(built, doc):
    """Exercise 9.2 is the second exercise of chapter 9 (tools/exercise_numbers.py)."""
    written(doc)
    html = (HTML / f"{doc}.html").read_text(encoding="utf-8")
    numbers = EXERCISE_TITLE.findall(html)
    chapter = int(Path(doc).name[:2])
    if chapter == 0 and not numbers:
        pytest.skip(f"{doc} has no exercises")
    expected = [f"{chapter}.{k}" for k in range(1, len(numbers) + 1)]
    assert numbers and numbers == expected, f"{doc}: exercises numbered {numbers}"
