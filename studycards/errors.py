"""Errors a user may see: each carries a one-line message that names what went wrong and where.

The CLI prints ``str(error)`` and exits non-zero; it never shows a traceback for these.
"""

from __future__ import annotations


class StudycardsError(Exception):
    """Base for every error meant for the user rather than a programmer."""

    exit_code = 2


class DeckError(StudycardsError):
    """A deck file is malformed: the message names the file, the card and the field."""


class FormulaError(StudycardsError):
    """A formula or layer spec could not be read; raised without location, then wrapped with one."""


class SpecError(StudycardsError):
    """A layer spec or architecture name given to ``count`` is unknown or malformed."""


class RefError(StudycardsError):
    """A ``DECK/CARD`` reference names no deck or card."""


class StoreError(StudycardsError):
    """The review database cannot be used as it is (damaged, foreign or newer); nothing was changed."""
