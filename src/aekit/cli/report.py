"""``aekit report``: one static HTML page from a folder of reproductions."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report",
        help="an HTML report of `aekit reproduce` runs",
        description="Write DIR/report.html: published vs reached numbers with "
        "pass/fail, run times, hardware and every figure embedded, in one file "
        "that opens in any browser without a server.",
        epilog="Example: aekit reproduce vanilla-mnist --quick --out runs/repro && "
        "aekit report runs/repro",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the folder of runs")
    p.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where to write the page (default: DIR/report.html)",
    )
    p.add_argument(
        "--markdown",
        type=Path,
        default=None,
        metavar="PATH",
        help="also write the published-vs-reached table as Markdown",
    )
    p.add_argument(
        "--screenshot",
        type=Path,
        default=None,
        metavar="PNG",
        help="open the page in headless Chromium (needs Playwright), check that "
        "every figure loaded and save a screenshot",
    )
    p.add_argument(
        "--chromium",
        default=None,
        metavar="PATH",
        help="Chromium binary for --screenshot (default: $AEKIT_CHROMIUM, else "
        "Playwright's)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..experiments.report import load_results, markdown, screenshot, write_report
    from ..io import atomic_write_bytes

    path = write_report(args.dir, args.output)
    results = load_results(args.dir)
    print(f"wrote {path} ({len(results)} experiments)")
    if args.markdown is not None:
        atomic_write_bytes(args.markdown, markdown(results).encode("utf-8"))
        print(f"wrote {args.markdown}")
    if args.screenshot is not None:
        widths = screenshot(path, args.screenshot, executable=args.chromium)
        print(f"wrote {args.screenshot} ({len(widths)} figures loaded)")
    return 0
