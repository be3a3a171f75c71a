"""The one version number: the package metadata (pyproject's dynamic version) and every report read it here."""

__version__ = "0.1.0"
