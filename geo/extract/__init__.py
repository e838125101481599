"""Stage 2: from article text to events. :class:`Geoparser` is the facade over the stages
(text segmentation, toponyms, lexicon triggers and actors, event assembly); ``evaluate`` scores it.

Code outside this package imports from here, not from the modules (but for the modules of
optional extras, imported where they are used)."""

from geo.extract.actors import actor_category, canonical_actor, interaction_code
from geo.extract.events import find_triggers
from geo.extract.pipeline import Geoparser

__all__ = ["Geoparser", "actor_category", "canonical_actor", "find_triggers", "interaction_code"]
