"""Areas, vintages, hierarchies, user-defined area sets and place lookup.

The package imports nothing itself: :mod:`placelens.geography.area_types` is read by the command
line at start-up, which must not wait for pandas (imported by :mod:`.places`)."""
