"""Orrery inside a notebook server: helpers a notebook imports (standard library only).

`from orrery.spark import create_spark_session` gives a Spark session sized by the platform, with its links and
estimated cost; see images/notebook-server/README.md.
"""

from ._api import OrreryError

__all__ = ['OrreryError']
