"""Where studycards keeps things: the data home and the deck folders.

The home is chosen, in order, from ``--home``, ``$STUDYCARDS_HOME`` and the platform's user data dir.
Decks come from the folder shipped inside the package and from ``<home>/decks`` (the learner's own).
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "STUDYCARDS_HOME"


def data_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data home directory (not created here: the store creates it when it first writes)."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(HOME_ENV)
    if from_env:
        return Path(from_env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("studycards", appauthor=False))


def bundled_decks_dir() -> Path:
    """The decks shipped with studycards.

    A wheel carries them as ``studycards/decks``; a source checkout (editable install) keeps them in the
    top-level ``decks/`` folder beside the package.
    """
    package_dir = Path(__file__).resolve().parent
    inside = package_dir / "decks"
    if inside.is_dir():
        return inside
    return package_dir.parent / "decks"


def user_decks_dir(home: Path) -> Path:
    """Decks the learner wrote or downloaded, kept in the data home."""
    return home / "decks"
