"""Domain services shared by the CLI, the Python API and the reports: indicators, economy,
complexity, benchmarking and regions (collaboration lives in :mod:`placelens.collaboration`).
Each takes typed inputs and the services it builds on; :class:`placelens.api.Observatory`
wires them together."""
