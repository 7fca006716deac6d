"""placelens: an open observatory for place-based innovation policy in the UK.

Layers (one folder each): ``sources`` parse official published files, ``warehouse`` builds the
DuckDB store, ``geography`` resolves places and aggregates them, ``analysis`` holds pure
numerical methods, ``report`` renders place profiles. ``api`` is the Python entry point.
"""

__version__ = "0.1.0"

OGL_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0."
)
OS_ATTRIBUTION = "Contains OS data © Crown copyright and database right {year}."
