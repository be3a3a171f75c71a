"""Prompt or Tune: prompt engineering or fine-tuning, decided in money and measured quality."""

from core.version import __version__

__all__ = ["__version__"]
