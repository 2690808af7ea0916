"""``aekit report DIR``: one static HTML page from a folder of reproduction runs.

The page holds everything it shows — figures are embedded as base64 ``data:``
URIs and the styles inline — so it opens from disk in any browser, with no
server and no network.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..exceptions import AekitError
from ..io import atomic_write_bytes

VERDICT_TEXT = {
    "pass": "pass",
    "fail": "fail",
    "quick": "quick run: not compared",
    "missing": "not reached",
}

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em;
       padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.pass { background: #dff3df; } .fail { background: #f8d7d7; }
.quick, .missing { background: #f0f0f0; color: #555; }
section { border-top: 1px solid #ddd; margin-top: 2em; }
img { max-width: 100%; display: block; margin: 0.5em 0; }
.meta { color: #555; font-size: 0.9em; }
"""


def load_results(folder: str | Path) -> list[dict[str, Any]]:
    """The ``result.json`` of every run under ``folder`` (one level down), by name.

    Raises
    ------
    FileNotFoundError
        ``folder`` does not exist.
    AekitError
        ``folder`` holds no ``*/result.json``, or one of them is not valid JSON.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no such directory: {folder}")
    results = []
    for path in sorted(folder.glob("*/result.json")):
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise AekitError(f"cannot read {path}: {exc}") from None
        result["_dir"] = path.parent
        results.append(result)
    if not results:
        raise AekitError(
            f"{folder} holds no */result.json; run `aekit reproduce NAME --out "
            f"{folder}` first"
        )
    return results


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _table(columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for cell in row:
            cls = ' class="num"' if isinstance(cell, int | float) else ""
            cells.append(f"<td{cls}>{html.escape(_fmt(cell))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def metric_rows(result: dict[str, Any]) -> list[tuple[str, str, Any, Any, Any, str]]:
    """One row per metric: name, direction, published, tolerance, reached, verdict.

    Published metrics come first, in the experiment's order; metrics without a
    published number follow with an empty verdict.
    """
    metrics, published = result.get("metrics", {}), result.get("published", {})
    checks = result.get("checks", {})
    rows = []
    for key, pub in published.items():
        rows.append(
            (
                key,
                pub.get("direction", ""),
                pub.get("value"),
                pub.get("tolerance"),
                metrics.get(key),
                checks.get(key, "missing"),
            )
        )
    for key, value in metrics.items():
        if key not in published:
            rows.append((key, "", None, None, value, ""))
    return rows


def _tolerance(direction: str, tol: Any) -> str:
    """``≤ 0.005``: how far from the published number a run may land."""
    if tol is None:
        return _fmt(None)
    rule = {"lower": "≤", "higher": "≥", "close": "±"}.get(direction, "")
    return f"{rule} {_fmt(tol)}".strip()


def _image(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _verdict_cell(verdict: str) -> str:
    if not verdict:
        return "<td>no published number</td>"
    return f'<td class="{verdict}">{html.escape(VERDICT_TEXT[verdict])}</td>'


def render(results: list[dict[str, Any]]) -> str:
    """The report page for ``results`` (as :func:`load_results` returns them)."""
    summary = []
    for r in results:
        for key, direction, value, tol, reached, verdict in metric_rows(r):
            summary.append(
                "<tr>"
                f'<td><a href="#{html.escape(r["name"])}">'
                f"{html.escape(r['name'])}</a></td>"
                f"<td>{html.escape(key)}</td>"
                f'<td class="num">{_fmt(value)}</td>'
                f'<td class="num">{html.escape(_tolerance(direction, tol))}</td>'
                f'<td class="num">{_fmt(reached)}</td>'
                f"{_verdict_cell(verdict)}"
                "</tr>"
            )
    counts = {
        v: sum(c == v for r in results for c in r.get("checks", {}).values())
        for v in VERDICT_TEXT
    }
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>aekit reproductions</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>aekit reproductions</h1>",
        f'<p class="meta">{len(results)} experiments; published numbers: '
        + ", ".join(f"{n} {VERDICT_TEXT[v]}" for v, n in counts.items() if n)
        + ".</p>",
        "<h2>Published vs reached</h2>",
        "<table><tr><th>experiment</th><th>metric</th><th>published</th>"
        "<th>tolerance</th><th>reached</th><th>verdict</th></tr>",
        *summary,
        "</table>",
    ]
    for r in results:
        parts.append(_section(r))
    parts.append("</body></html>")
    return "\n".join(parts)


def _section(r: dict[str, Any]) -> str:
    name = html.escape(r["name"])
    mode = "quick run" if r.get("quick") else "full run"
    hw, versions = r.get("hardware", {}), r.get("versions", {})
    machine = ", ".join(f"{k} {v}" for k, v in hw.items() if v not in (None, ""))
    out = [
        f'<section id="{name}"><h2>{name}: {html.escape(r.get("title", ""))}</h2>',
        f"<p>{html.escape(r.get('description', ''))}</p>",
        f'<p class="meta">Source: {html.escape(r.get("source", ""))}</p>',
        f'<p class="meta">{mode}, seed {r.get("seed")}, '
        f"{float(r.get('seconds', 0.0)):.1f} s, started {r.get('started', '?')}; "
        f"settings: {html.escape(json.dumps(r.get('settings', {})))}</p>",
        f'<p class="meta">Hardware: {html.escape(machine)}. Versions: '
        + html.escape(", ".join(f"{k} {v}" for k, v in versions.items()))
        + "</p>",
        _table(
            ["metric", "direction", "published", "tolerance", "reached", "verdict"],
            [
                [*row[:5], VERDICT_TEXT.get(row[5], "no published number")]
                for row in metric_rows(r)
            ],
        ),
    ]
    for table in r.get("tables", []):
        out.append(f"<h3>{html.escape(table['title'])}</h3>")
        out.append(_table(table["columns"], table["rows"]))
    for figure in r.get("figures", []):
        path = Path(r["_dir"]) / figure
        if not path.is_file():
            raise AekitError(f"figure {path} listed in result.json is missing")
        out.append(f"<h3>{html.escape(figure)}</h3>")
        out.append(_image(path, f"{r['name']}: {figure}"))
    out.append("</section>")
    return "\n".join(out)


def write_report(folder: str | Path, output: str | Path | None = None) -> Path:
    """Write ``folder/report.html`` (or ``output``) from the runs in ``folder``.

    Returns
    -------
    pathlib.Path
        Where the page was written.
    """
    results = load_results(folder)
    path = Path(output) if output is not None else Path(folder) / "report.html"
    atomic_write_bytes(path, render(results).encode("utf-8"))
    return path


def markdown(results: list[dict[str, Any]]) -> str:
    """The published-vs-reached table as Markdown (``benchmarks/results``)."""
    full = sum(not r.get("quick") for r in results)
    machines = sorted(
        {
            ", ".join(f"{k} {v}" for k, v in r.get("hardware", {}).items() if v)
            for r in results
        }
    )
    lines = [
        f"{len(results)} experiments ({full} full runs, {len(results) - full} "
        "quick runs, whose numbers are not compared), written by `aekit report "
        "DIR --markdown PATH`. Hardware: " + "; ".join(machines) + ".",
        "",
    ]
    lines += [
        "| experiment | run | metric | published | tolerance | reached | verdict "
        "| seconds |",
        "|---|---|---|---:|---:|---:|---|---:|",
    ]
    for r in results:
        mode = "quick" if r.get("quick") else "full"
        seconds = f"{float(r.get('seconds', 0.0)):.0f}"
        for key, direction, value, tol, reached, verdict in metric_rows(r):
            tolerance = _tolerance(direction, tol)
            lines.append(
                f"| {r['name']} | {mode} | {key} | {_fmt(value)} | {tolerance} "
                f"| {_fmt(reached)} | {VERDICT_TEXT.get(verdict, '—')} | {seconds} |"
            )
    return "\n".join(lines) + "\n"


#: Environment variable naming a Chromium executable for :func:`screenshot`
#: (e.g. one not installed by ``playwright install chromium``).
CHROMIUM_ENV = "AEKIT_CHROMIUM"


def screenshot(
    page: str | Path,
    output: str | Path,
    *,
    executable: str | Path | None = None,
    width: int = 1200,
    height: int = 900,
    full_page: bool = False,
) -> list[int]:
    """Open ``page`` in headless Chromium, check every image loaded, save a PNG.

    Parameters
    ----------
    page : path-like
        The HTML file (``aekit report``'s output).
    output : path-like
        Where to write the screenshot.
    executable : path-like, optional
        The Chromium binary; default ``$AEKIT_CHROMIUM``, else Playwright's own.
    width, height : int
        Viewport in CSS pixels.
    full_page : bool
        Capture the whole scrollable page instead of the first screen.

    Returns
    -------
    list of int
        Every ``<img>``'s decoded width, in document order.

    Raises
    ------
    AekitError
        Playwright is not installed, the browser cannot start, or an image did
        not decode (its index is named).
    """
    import os

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise AekitError(
            "screenshots need Playwright: pip install playwright, then "
            "`playwright install chromium` or set AEKIT_CHROMIUM to a Chromium binary"
        ) from None
    executable = executable or os.environ.get(CHROMIUM_ENV) or None
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(
                executable_path=str(executable) if executable else None,
                # Containers often lack the namespaces Chromium's sandbox needs.
                args=["--no-sandbox", "--no-zygote", "--disable-gpu"],
            )
        except Exception as exc:  # Playwright raises its own Error type
            raise AekitError(
                f"cannot start headless Chromium: {str(exc).splitlines()[0]} "
                f"(run `playwright install chromium` or set {CHROMIUM_ENV})"
            ) from None
        try:
            tab = browser.new_page(viewport={"width": width, "height": height})
            tab.goto(Path(page).resolve().as_uri(), wait_until="load")
            widths: list[int] = tab.eval_on_selector_all(
                "img", "els => els.map(e => e.complete ? e.naturalWidth : 0)"
            )
            tab.screenshot(path=str(output), full_page=full_page)
        finally:
            browser.close()
    broken = [i for i, w in enumerate(widths) if w <= 0]
    if broken:
        raise AekitError(f"images {broken} of {page} did not load")
    return widths
