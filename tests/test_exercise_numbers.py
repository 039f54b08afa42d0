"""tools/exercise_numbers.py: exercises are numbered per chapter, in their order."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import exercise_numbers  # noqa: E402  (a tool, not an installed package)


def test_chapter_number_comes_from_the_file_name():
    assert exercise_numbers.chapter_number("book/09_phase_changes") == 9
    assert exercise_numbers.chapter_number("book/00_conventions") == 0
    assert exercise_numbers.chapter_number("book/glossary") is None


def test_exercises_are_renumbered_within_their_chapter_in_order():
    figs = {"exercise": {"b": (17,), "a": (16,), "c": (18,)}, "figure": {"f": (3,)}}
    assert exercise_numbers.renumber(figs, "book/09_phase_changes")
    assert figs["exercise"] == {"a": (9, 1), "b": (9, 2), "c": (9, 3)}
    assert figs["figure"] == {"f": (3,)}, "other numbered things are left alone"


def test_pages_without_a_chapter_number_keep_their_numbers():
    figs = {"exercise": {"a": (4,)}}
    assert not exercise_numbers.renumber(figs, "book/preface")
    assert figs["exercise"] == {"a": (4,)}
