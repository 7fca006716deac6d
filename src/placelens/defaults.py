"""Defaults shared by the CLI, the Python API and the reports, kept in one light module so
that every entry point names the same periods and series (and the CLI can show them in its
help without importing the analysis stack)."""

#: Emerging places and industries: one window everywhere, on real GVA (chained volume
#: measure in 2022 prices, unsmoothed ONS regional accounts), 2018–2023.
EMERGING_WINDOW = ("2018", "2023")
EMERGING_INDICATOR = "gva_constant_2022_gbp_m"
EMERGING_MEASURE = "gva_constant_2022_gbp_m"
