"""A fake `pyspark.sql.SparkSession`: its builder records the app name and every option; sessions count stops.

`SparkSession.built` lists what each getOrCreate() was given ({'appName', 'options'}) and `SparkSession.sessions` the
sessions made, in order. The session made is `SparkContext._active_spark_context` until it stops, and getOrCreate()
returns it meanwhile, as pyspark does. Like pyspark, `SparkSession.builder` keeps its options in a dict shared by every builder.
"""

from typing import Any, Dict, List

from pyspark import SparkContext


class SparkSession:
    built: List[Dict[str, Any]] = []
    sessions: List['SparkSession'] = []

    class Builder:
        _options: Dict[str, str] = {}

        def appName(self, name: str) -> 'SparkSession.Builder':  # noqa: N802 — pyspark's name
            return self.config('spark.app.name', name)

        def config(self, key: str, value: Any) -> 'SparkSession.Builder':
            self._options[key] = str(value)
            return self

        def getOrCreate(self) -> 'SparkSession':  # noqa: N802 — pyspark's name
            # Like pyspark: a running context is returned as it is, whatever the options.
            if SparkContext._active_spark_context is not None:
                return SparkContext._active_spark_context
            SparkSession.built.append({'appName': self._options.get('spark.app.name'), 'options': dict(self._options)})
            session = SparkSession(dict(self._options))
            SparkSession.sessions.append(session)
            SparkContext._active_spark_context = session
            return session

    builder = Builder()

    def __init__(self, options: Dict[str, str]) -> None:
        self.options = options
        self.stops = 0

    def stop(self) -> None:
        self.stops += 1
        if SparkContext._active_spark_context is self:
            SparkContext._active_spark_context = None

    @classmethod
    def reset(cls) -> None:
        cls.built.clear()
        cls.sessions.clear()
        cls.Builder._options.clear()
        SparkContext._active_spark_context = None
