"""What a notebook shows of a session: plain text outside Jupyter, escaped HTML inside."""

import sys
import types

from fake_api import preview_view, session_view
from orrery.spark import SparkSessionInfo, create_spark_session

HOSTILE = session_view(
    appName='<script>alert(1)</script>',
    warnings=['spark.master is set by Orrery: <b>dropped</b>'],
    links={'ui': 'http://127.0.0.1:4051/?a=1&b="x"', 'history': 'javascript:alert(2)', 'monitoring': ''},
    cost={'hourlyUsd': 2.46, 'maxHourlyUsd': 24.6, 'dailyMaxUsd': 590.4, 'highCost': True},
)


def test_the_text_shows_executors_cost_links_and_warnings():
    # Act
    text = repr(SparkSessionInfo(HOSTILE, dry_run=False))
    # Assess
    assert text.splitlines() == [
        'Spark session <script>alert(1)</script> (id k3x9q2, pool batch)',
        '  executors: 4 cores and 28 GB each, 0 at first, up to 2',
        '  estimated cost: $2.46/h now, at most $24.60/h, at most $590.40 a day',
        '  Spark UI: http://127.0.0.1:4051/?a=1&b="x"',
        '  Spark history: javascript:alert(2)',
        '  warning: High cost: this session may cost up to $590.40 a day. Call spark.stop() when you are done.',
        '  warning: spark.master is set by Orrery: <b>dropped</b>',
    ]


def test_the_html_escapes_every_value_and_links_only_web_addresses():
    # Act
    page = SparkSessionInfo(HOSTILE, dry_run=True)._repr_html_()
    # Assess
    assert '<script>' not in page and '<b>' not in page
    assert '&lt;script&gt;alert(1)&lt;/script&gt;' in page
    assert '&lt;b&gt;dropped&lt;/b&gt;' in page
    assert '<a href="http://127.0.0.1:4051/?a=1&amp;b=&quot;x&quot;"' in page
    assert 'href="javascript' not in page and '<td style="text-align:left">javascript:alert(2)</td>' in page
    assert 'dry run, nothing started' in page
    assert '<ul style="color:#b00020">' in page


def test_a_preview_shows_no_id_and_says_what_it_leaves_out():
    # Act
    text = repr(SparkSessionInfo(preview_view(), dry_run=True))
    # Assess
    lines = text.splitlines()
    assert lines[0] == 'Spark session report (pool batch): dry run, nothing started'
    assert lines[3].startswith('  note: a preview: the sizing only, nothing started or recorded; the placement')
    assert 'Spark UI' not in text


def test_in_jupyter_the_session_is_displayed_rich_not_printed(server_env, api, pyspark, monkeypatch, capsys):
    # Prepare: an IPython whose shell has a kernel, as in Jupyter.
    shown = []
    ipython = types.ModuleType('IPython')
    ipython.get_ipython = lambda: types.SimpleNamespace(kernel=object())
    display = types.ModuleType('IPython.display')
    display.display = shown.append
    monkeypatch.setitem(sys.modules, 'IPython', ipython)
    monkeypatch.setitem(sys.modules, 'IPython.display', display)
    # Act
    spark = create_spark_session()
    # Assess
    assert shown == [spark.orrery]
    assert capsys.readouterr().out == ''


def test_outside_jupyter_the_session_is_printed(server_env, api, pyspark, monkeypatch, capsys):
    # Prepare: a terminal IPython has no kernel.
    ipython = types.ModuleType('IPython')
    ipython.get_ipython = lambda: types.SimpleNamespace()
    monkeypatch.setitem(sys.modules, 'IPython', ipython)
    # Act
    create_spark_session()
    # Assess
    assert capsys.readouterr().out.startswith('Spark session report (id k3x9q2, pool batch)\n')


def test_the_html_is_not_typeset_as_math_though_it_has_two_dollar_amounts():
    # Act
    page = SparkSessionInfo(HOSTILE, dry_run=False)._repr_html_()
    # Assess: MathJax 3 (JupyterLab 4) honours mathjax_ignore, MathJax 2 (classic Notebook) tex2jax_ignore.
    assert page.startswith('<div class="orrery-spark-session tex2jax_ignore mathjax_ignore">')
