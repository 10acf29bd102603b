"""Fuzz targets for the byte and text parsers (see docs/fuzzing.md)."""
