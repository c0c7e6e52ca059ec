"""The surveys admin, one concern per module; each is imported here so its admins register."""

from . import codes, surveys, texts

__all__ = ["codes", "surveys", "texts"]
