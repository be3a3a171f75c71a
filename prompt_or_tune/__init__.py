"""Prompt or Tune: prompt engineering or fine-tuning, decided in money and measured quality."""

__version__ = "0.1.0"
