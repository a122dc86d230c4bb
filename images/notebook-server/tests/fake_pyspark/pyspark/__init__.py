"""A stand-in for pyspark (Debian has none): only what orrery.spark touches, recording what it was given."""

__version__ = '0.0.0-fake'
