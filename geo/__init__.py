"""Offline-first conflict-event mapper: gazetteer, geocoder, extractor, store, exports, maps."""

__version__ = "0.1.0"
