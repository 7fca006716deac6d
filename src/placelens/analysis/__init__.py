"""Pure numerical methods on area × activity matrices and indicator panels (no I/O)."""
