"""Stage 2: from article text to events. :class:`Geoparser` is the facade over the stages
(text segmentation, toponyms, lexicon triggers and actors, event assembly); ``evaluate`` scores it.

Code outside this package imports from here, not from the modules (but for the modules of
optional extras, imported where they are used)."""

import lazy_loader

# The pipeline pulls in the gazetteer, dateparser and the lexicon (about a second): loaded on first
# use (lazy_loader, SPEC 1), so that code needing only the actor table (the dashboard's actor
# filter, dataset imports) does not pay for it.
SUBMODULE_NAMES = {
    "actors": ["actor_category", "canonical_actor", "interaction_code"],
    "events": ["find_triggers"],
    "pipeline": ["Geoparser"],
}
__getattr__, __dir__, __all__ = lazy_loader.attach(__name__, submod_attrs=SUBMODULE_NAMES)
