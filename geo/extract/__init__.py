"""Stage 2: from article text to events. :class:`Geoparser` is the facade over the stages
(text segmentation, toponyms, lexicon triggers and actors, event assembly); ``evaluate`` scores it.

Code outside this package imports from here, not from the modules (but for the modules of
optional extras, imported where they are used)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from geo.extract.actors import actor_category, canonical_actor, interaction_code

if TYPE_CHECKING:
    from geo.extract.events import find_triggers
    from geo.extract.pipeline import Geoparser

__all__ = ["Geoparser", "actor_category", "canonical_actor", "find_triggers", "interaction_code"]

# The pipeline pulls in the gazetteer, dateparser and the lexicon (about a second): loaded on first
# use, so that code needing only the actor table (the dashboard's actor filter, dataset imports)
# does not pay for it.
_LAZY = {"Geoparser": "geo.extract.pipeline", "find_triggers": "geo.extract.events"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
