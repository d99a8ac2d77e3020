"""Shipped scenario folders and the seeded generator that made them."""

from pathlib import Path

__all__ = ["folder"]


def folder() -> Path:
    """This package's folder, where the shipped scenarios are (registered for the domain under
    the ``domcare.scenarios`` entry point: see ``scheduler.io.shipped``)."""
    return Path(__file__).resolve().parent
