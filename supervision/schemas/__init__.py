"""The JSON Schemas (draft 2020-12) of the files under computed/ of an audit package, one
``<name>.schema.json`` per file; supervision/figure_schemas.py reads and applies them."""
