"""Areas, vintages, hierarchies, user-defined area sets and place lookup."""

from placelens.geography.places import Place, PlaceIndex

__all__ = ["Place", "PlaceIndex"]
