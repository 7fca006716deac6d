"""One module per official source: parse its published format, and download it from its
official endpoint. Every reader returns tidy pandas DataFrames and a :class:`SourceInfo`."""
