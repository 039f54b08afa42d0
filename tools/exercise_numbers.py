"""Sphinx extension: exercises numbered per chapter ("Exercise 9.2"), not across the
book.

sphinx-exercise numbers exercises with Sphinx's figure numbering, which without numbered
sections counts across the whole book. A teacher assigns "Exercise 9.2": the chapter's
number (the leading digits of its file name, `book/09_phase_changes` -> 9) and the
exercise's place within that chapter. This runs after Sphinx has assigned its numbers
and renumbers only the exercises; references to them (`{ref}` / `{numref}`) follow.
"""

from __future__ import annotations

import re

FIGTYPE = "exercise"
CHAPTER_NUMBER = re.compile(r"(?:^|/)(\d+)_[^/]*$")


def chapter_number(docname: str) -> int | None:
    """The number at the start of a chapter's file name, or None for other pages."""
    match = CHAPTER_NUMBER.search(docname)
    return int(match.group(1)) if match else None


def renumber(fignumbers: dict[str, dict], docname: str) -> bool:
    """Rewrite one page's exercise numbers as (chapter, k); True if anything changed."""
    chapter = chapter_number(docname)
    numbers = fignumbers.get(FIGTYPE)
    if chapter is None or not numbers:
        return False
    in_order = sorted(numbers, key=numbers.get)
    renumbered = {ids: (chapter, k) for k, ids in enumerate(in_order, 1)}
    changed = renumbered != numbers
    fignumbers[FIGTYPE] = renumbered
    return changed


def renumber_exercises(app, env) -> list[str]:
    """`env-get-updated` hook, run after Sphinx's own figure numbering."""
    return [doc for doc, figs in env.toc_fignumbers.items() if renumber(figs, doc)]


def setup(app):
    # Sphinx assigns figure numbers at priority 500; run after it.
    app.connect("env-get-updated", renumber_exercises, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
