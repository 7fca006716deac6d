"""Place profiles: HTML (with inline SVG charts) and PDF (WeasyPrint)."""
