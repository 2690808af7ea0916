"""``aekit reproduce`` and ``aekit report`` (issue 10)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from PIL import Image

from aekit import experiments
from aekit.cli import main
from aekit.exceptions import AekitError
from aekit.experiments import Published
from aekit.experiments.report import screenshot, write_report

ALL = [
    "vanilla-mnist",
    "deep-mnist",
    "sparse-mnist",
    "conv-mnist",
    "denoise-conv-mnist",
    "ae-vs-pca-2d",
    "encoder-weights",
    "hinton-30d",
    "lstm-reuters",
    "vae-fashion-mlp",
    "vae-mnist-2d",
    "anomaly-adbench",
]
#: Cheap enough for the normal suite (a few seconds together).
FAST = ["vanilla-mnist", "deep-mnist", "anomaly-adbench"]


def _data_available() -> bool:
    from aekit.datasets import dataset_info

    try:
        return bool(dataset_info("mnist")["available"])
    except Exception:
        return False


def _check_run(out: Path, name: str) -> dict:
    result = json.loads((out / name / "result.json").read_text())
    assert result["name"] == name and result["quick"] is True
    assert result["metrics"], "an experiment reports at least one number"
    assert all(
        v is not None and math.isfinite(v) for v in result["metrics"].values()
    ), result["metrics"]
    assert result["figures"], "every experiment draws at least one figure"
    for figure in result["figures"]:
        assert (out / name / figure).stat().st_size > 0
    assert set(result["checks"]) == set(result["published"])
    assert set(result["checks"].values()) <= {"quick"}
    assert result["seconds"] > 0 and result["hardware"] and result["versions"]
    return result


def test_registry_lists_every_experiment(capsys):
    assert experiments.names() == ALL
    assert main(["reproduce", "list"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == ALL
    for name in ALL:
        exp = experiments.get(name)
        assert exp.source and exp.title and exp.description


def test_published_verdicts():
    assert Published(0.09, 0.005, "lower").passes(0.0949)
    assert not Published(0.09, 0.005, "lower").passes(0.0951)
    assert Published(0.98, 0.01, "higher").passes(0.975)
    assert not Published(0.98, 0.01, "higher").passes(0.96)
    assert Published(13.87, 0.05, "close").passes(13.9)
    assert not Published(13.87, 0.05, "close").passes(13.5)
    with pytest.raises(ValueError):
        Published(1.0, 0.1, "sideways")


def test_unknown_experiment_is_one_line_error(capsys, tmp_path):
    assert main(["reproduce", "no-such", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("aekit: error: unknown experiment 'no-such'")
    assert "vanilla-mnist" in err and "\n" not in err


def test_report_errors_are_one_line(capsys, tmp_path):
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "no such directory" in capsys.readouterr().err
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "holds no */result.json" in err and "\n" not in err


def _fake_run(out: Path, name: str, quick: bool, passes: bool) -> None:
    """A result.json like a real run's, without training (for report tests)."""
    from aekit.cli._common import save_figure
    from aekit.plots import image_grid

    folder = out / name
    folder.mkdir(parents=True)
    import numpy as np

    save_figure(folder / "grid.png", image_grid(np.eye(4)[None], 1, 1))
    exp = experiments.get(name)
    metrics = {k: p.value if passes else p.value * 10 for k, p in exp.published.items()}
    metrics["extra"] = 1.5
    result = {
        "name": name,
        "title": exp.title,
        "source": exp.source,
        "description": exp.description,
        "quick": quick,
        "seed": 0,
        "seconds": 1.25,
        "published": {k: p.as_dict() for k, p in exp.published.items()},
        "metrics": metrics,
        "checks": exp.checks(metrics, quick),
        "figures": ["grid.png"],
        "tables": [{"title": "t", "columns": ["a", "b"], "rows": [["x", 1.0]]}],
        "hardware": experiments.hardware(),
        "versions": experiments.versions(),
    }
    (folder / "result.json").write_text(json.dumps(result))


def test_report_embeds_figures_and_judges_numbers(tmp_path, capsys):
    _fake_run(tmp_path, "vanilla-mnist", quick=False, passes=True)
    _fake_run(tmp_path, "hinton-30d", quick=False, passes=False)
    _fake_run(tmp_path, "lstm-reuters", quick=True, passes=True)
    assert main(["report", str(tmp_path)]) == 0
    assert "wrote" in capsys.readouterr().out
    page = (tmp_path / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == 3
    assert "http://" not in page and "https://" not in page  # nothing to fetch
    summary = page.split("<h2>Published vs reached</h2>")[1].split("</table>")[0]
    rows = re.findall(r"<tr><td><a", summary)
    n_metrics = sum(
        len(experiments.get(n).published) + 1
        for n in ("vanilla-mnist", "hinton-30d", "lstm-reuters")
    )
    assert len(rows) == n_metrics
    assert '<td class="pass">pass</td>' in summary
    assert summary.count('<td class="fail">fail</td>') == 2  # both hinton numbers
    assert summary.count("quick run: not compared") == 3  # lstm's three
    assert "no published number" in summary


def test_report_markdown_table_matches_the_page(tmp_path):
    _fake_run(tmp_path, "vanilla-mnist", quick=False, passes=True)
    _fake_run(tmp_path, "hinton-30d", quick=False, passes=False)
    md = tmp_path / "reproduce.md"
    assert main(["report", str(tmp_path), "--markdown", str(md)]) == 0
    lines = md.read_text().splitlines()
    rows = [line for line in lines[4:] if line.startswith("| ")]
    assert lines[0].startswith("2 experiments (2 full runs, 0 quick runs")
    n_metrics = sum(
        len(experiments.get(n).published) + 1 for n in ("vanilla-mnist", "hinton-30d")
    )
    assert len(rows) == n_metrics
    assert sum("| fail |" in r for r in rows) == 2
    assert any(r.startswith("| vanilla-mnist | full | val_bce |") for r in rows)


def test_missing_figure_is_an_error(tmp_path, capsys):
    _fake_run(tmp_path, "vanilla-mnist", quick=True, passes=True)
    (tmp_path / "vanilla-mnist" / "grid.png").unlink()
    assert main(["report", str(tmp_path)]) == 2
    assert "grid.png" in capsys.readouterr().err


needs_data = pytest.mark.skipif(not _data_available(), reason="MNIST not on disk")


@needs_data
def test_quick_runs_and_report(tmp_path, capsys):
    """A few cheap experiments end to end, through the CLI, then the report."""
    for name in FAST:
        assert main(["reproduce", name, "--quick", "--out", str(tmp_path)]) == 0
        _check_run(tmp_path, name)
    assert "(quick)" in capsys.readouterr().out
    path = write_report(tmp_path)
    page = path.read_text()
    figures = sum(
        len(json.loads((tmp_path / n / "result.json").read_text())["figures"])
        for n in FAST
    )
    assert page.count('src="data:image/png;base64,') == figures


@pytest.mark.slow
@needs_data
@pytest.mark.parametrize("name", sorted(set(ALL) - set(FAST)))
def test_every_experiment_quick(tmp_path, name):
    assert main(["reproduce", name, "--quick", "--out", str(tmp_path)]) == 0
    _check_run(tmp_path, name)
    assert write_report(tmp_path).is_file()


def test_report_renders_in_headless_chromium(tmp_path):
    """Every <img> of the page decodes in a real browser (naturalWidth > 0).

    Uses Playwright's Chromium, or the binary named by $AEKIT_CHROMIUM; skips
    when neither is available (the browser download is often blocked in CI).
    """
    pytest.importorskip("playwright.sync_api")
    _fake_run(tmp_path, "vanilla-mnist", quick=False, passes=True)
    _fake_run(tmp_path, "vae-mnist-2d", quick=True, passes=True)
    path = write_report(tmp_path)
    shot = tmp_path / "report.png"
    try:
        widths = screenshot(path, shot, width=800, height=600)
    except AekitError as exc:
        if "cannot start headless Chromium" not in str(exc):
            raise
        pytest.skip(str(exc))
    assert len(widths) == 2 and all(w > 0 for w in widths)
    with Image.open(shot) as image:
        assert image.size == (800, 600)
        # Not a blank page: the rendered report has text, tables and figures.
        assert len(image.convert("L").getcolors(maxcolors=1 << 16) or []) > 16


def test_screenshot_names_a_figure_that_does_not_load(tmp_path):
    pytest.importorskip("playwright.sync_api")
    page = tmp_path / "page.html"
    page.write_text('<img src="data:image/png;base64,bm90IGEgcG5n">')
    try:
        screenshot(page, tmp_path / "x.png")
    except AekitError as exc:
        if "cannot start headless Chromium" in str(exc):
            pytest.skip(str(exc))
        assert "images [0]" in str(exc)
    else:
        pytest.fail("a broken image was not reported")
