"""A stand-in for pyspark (Debian has none): only what orrery.spark touches, recording what it was given."""

__version__ = '0.0.0-fake'


class SparkContext:
    """Like pyspark's: `_active_spark_context` is the running context of this process, or None."""

    _active_spark_context = None
