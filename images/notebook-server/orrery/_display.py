"""How a Spark session is shown: plain text (a terminal, a script) and HTML (Jupyter), from the API's view."""

from __future__ import annotations

import html
from typing import Any, List, Mapping, Tuple

LINKS = (('ui', 'Spark UI'), ('history', 'Spark history'), ('monitoring', 'monitoring'))
DRY_RUN_NOTE = ('a preview: the sizing only, nothing started or recorded; the placement a real session adds (on EKS '
                'the master, image, driver Service and ports, executor pod template; locally local[N], driver memory '
                'and UI port) and its links are not part of it')

# Two dollar amounts in one line ("$0.00/h now, at most $0.16/h") read as inline TeX to MathJax. JupyterLab 4 (MathJax
# 3, default options) skips elements of class mathjax_ignore; classic Notebook's MathJax 2 skips tex2jax_ignore.
MATH_IGNORE = 'tex2jax_ignore mathjax_ignore'


def usd(value: Any) -> str:
    """Dollars to the cent, as the API rounds them."""
    try:
        return f'${float(value):,.2f}'
    except (TypeError, ValueError):
        return '$?'


def _links(view: Mapping[str, Any]) -> List[Tuple[str, str]]:
    links = view.get('links') if isinstance(view.get('links'), dict) else {}
    return [(label, str(links[key])) for key, label in LINKS if links.get(key)]


def _cost(view: Mapping[str, Any]) -> Mapping[str, Any]:
    return view.get('cost') if isinstance(view.get('cost'), dict) else {}


def _warnings(view: Mapping[str, Any]) -> List[str]:
    told = [str(w) for w in view.get('warnings') or []]
    cost = _cost(view)
    if cost.get('highCost'):
        told.insert(0, f'High cost: this session may cost up to {usd(cost.get("dailyMaxUsd"))} a day. '
                       'Call spark.stop() when you are done.')
    return told


def _executors(view: Mapping[str, Any]) -> str:
    executor = view.get('executor') if isinstance(view.get('executor'), dict) else {}
    shape = f'{executor.get("cores", "?")} cores and {executor.get("memoryGb", "?")} GB each'
    if view.get('dynamicAllocation'):
        return f'{shape}, {view.get("initialExecutors", 0)} at first, up to {view.get("maxExecutors", "?")}'
    return f'{shape}, {view.get("maxExecutors", "?")} of them'


def _cost_line(view: Mapping[str, Any]) -> str:
    cost = _cost(view)
    return (f'{usd(cost.get("hourlyUsd"))}/h now, at most {usd(cost.get("maxHourlyUsd"))}/h, '
            f'at most {usd(cost.get("dailyMaxUsd"))} a day')


def _title(view: Mapping[str, Any], dry_run: bool) -> str:
    # A preview has no id: nothing was recorded.
    named = f'id {view["id"]}, ' if view.get('id') else ''
    name = f'Spark session {view.get("appName", "?")} ({named}pool {view.get("pool", "?")})'
    return f'{name}: dry run, nothing started' if dry_run else name


def as_text(view: Mapping[str, Any], dry_run: bool) -> str:
    """The summary for a terminal: title, executors, cost, links, warnings."""
    lines = [_title(view, dry_run), f'  executors: {_executors(view)}', f'  estimated cost: {_cost_line(view)}']
    lines += [f'  {label}: {url}' for label, url in _links(view)]
    lines += [f'  note: {DRY_RUN_NOTE}'] if dry_run else []
    lines += [f'  warning: {told}' for told in _warnings(view)]
    return '\n'.join(lines)


def _href(url: str) -> str:
    # Links come from configuration templates: only web addresses become links, the rest stays text.
    if url.lower().startswith(('http://', 'https://')):
        return f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">{html.escape(url)}</a>'
    return html.escape(url)


def as_html(view: Mapping[str, Any], dry_run: bool) -> str:
    """The same summary for Jupyter; every value is escaped."""
    rows = [('executors', html.escape(_executors(view))), ('estimated cost', html.escape(_cost_line(view)))]
    rows += [(label, _href(url)) for label, url in _links(view)]
    rows += [('note', html.escape(DRY_RUN_NOTE))] if dry_run else []
    table = ''.join(f'<tr><th style="text-align:left">{html.escape(k)}</th><td style="text-align:left">{v}</td></tr>'
                    for k, v in rows)
    warnings = ''.join(f'<li>{html.escape(told)}</li>' for told in _warnings(view))
    high = ' style="color:#b00020"' if _cost(view).get('highCost') else ''
    return (f'<div class="orrery-spark-session {MATH_IGNORE}"><strong>{html.escape(_title(view, dry_run))}</strong>'
            f'<table>{table}</table>' + (f'<ul{high}>{warnings}</ul>' if warnings else '') + '</div>')
