"""xml2argv's version (read by pyproject.toml and `xml2argv --version`; imports nothing)."""

__version__ = "0.1.0"
