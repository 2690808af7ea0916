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
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..experiments.report import load_results, write_report

    path = write_report(args.dir, args.output)
    print(f"wrote {path} ({len(load_results(args.dir))} experiments)")
    return 0
