"""One exception tree for the whole package.

Library code raises these; the CLI and the app translate them once, at the edge,
into a message for the user (never a traceback for bad input).
"""

from __future__ import annotations


class GeoError(Exception):
    """Base class of every error this package raises on purpose."""


class ValidationError(GeoError, ValueError):
    """A value object was built with an impossible value (latitude 123, unknown event type...)."""


class GazetteerError(GeoError):
    """The gazetteer files are missing, unreadable or inconsistent."""


class GeocodeError(GeoError):
    """A geocoding request was malformed (empty query, bad hint)."""


class ExtractionError(GeoError):
    """The extractor could not process an article (bad date, not text)."""


class BadInputError(GeoError):
    """An input file or row is unusable: empty, binary, undecodable, too large, malformed.

    ``path`` names the input so that a batch summary can say which one and why.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path

    def __str__(self) -> str:
        base = super().__str__()
        return f"{self.path}: {base}" if self.path else base


class StoreError(GeoError):
    """The event store could not be opened, read or written."""


class ExportError(GeoError):
    """An export could not be written."""
