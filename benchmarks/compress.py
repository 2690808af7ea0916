"""Rate-distortion benchmark: aekit's compressed codes vs JPEG and WebP (issue 8).

For MNIST and Fashion-MNIST, a dense autoencoder 784-512-256-c (ReLU hidden
layers, linear code, sigmoid output, squared error, Adam 1e-3, batch 256, 20
epochs, seed 0) is trained on the 60000 training images for each code size c in
4, 8, 16, 32, 64. Each model compresses the 10000 test images into one ``.aekc``
file (:func:`aekit.compress.compress`, codes quantised to int8 or float16 and
DEFLATE-coded) and decompresses them; the distortion is the mean over test images
of the per-image PSNR (data range 1) of the decompressed images.

JPEG and WebP (Pillow; libjpeg baseline with the standard Huffman tables, and
libwebp lossy with ``method=6``) encode each test image separately as an 8-bit
greyscale image at qualities 1-95 and are decoded back. Sizes are reported two
ways:

- **whole file**: the JPEG/WebP file of one image; aekit's file divided by the
  number of images (its header, checksum and per-dimension scales amortised);
- **data only**: what a stream of many images would store per image with the
  container shared — JPEG's entropy-coded scan (the bytes after the SOS segment up
  to EOI: the abbreviated format keeps tables once), WebP's VP8/VP8L chunk
  payload (the RIFF and chunk headers left out), aekit's coded payload.

Neither counts the model: the JPEG/WebP decoders are fixed, aekit's decoder is a
network trained on the same kind of images (its size is in the table). aekit's
PSNR is then compared with JPEG's and WebP's at the same bits per image
(interpolated linearly in log bits between qualities), and the statement of
where it is ahead is printed.

Prints JSON, writes ``benchmarks/results/compress.json`` and ``compress.md`` and
the figure ``docs/images/compression_rd.png``.

    python benchmarks/compress.py                      # ~35 min on one CPU core
    python benchmarks/compress.py --limit 2000 --test-limit 300 --epochs 2 \\
        --code-sizes 4 16 --no-write                   # smoke run, under a minute
"""

from __future__ import annotations

import argparse
import io
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

import aekit
from _common import hardware, save_result
from aekit.compress import compress, decompress
from aekit.metrics import psnr

ROOT = Path(__file__).resolve().parents[1]
FIGURE = ROOT / "docs" / "images" / "compression_rd.png"
#: dataset -> name in tables and figures.
DATASETS = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}
CODE_SIZES = (4, 8, 16, 32, 64)
QUALITIES = (1, 2, 5, 10, 20, 30, 50, 75, 90, 95)
#: aekit's quantisations: int8 is the default; int6 and int4 trade PSNR for bits.
QUANTIZATIONS = ("int8", "int6", "int4", "float16")
#: An exact image counts as 100 dB rather than infinity (none is exact here).
MAX_PSNR = 100.0


# ------------------------------------------------------------------ measures
def mean_psnr(reference: np.ndarray, estimate: np.ndarray) -> float:
    """Mean over images of the per-image PSNR in dB (data range 1)."""
    per_image = psnr(reference, estimate, data_range=1.0)
    return float(np.minimum(per_image, MAX_PSNR).mean())


def jpeg_scan_bytes(data: bytes) -> int:
    """Bytes of the entropy-coded scan of a baseline JPEG: after SOS, before EOI."""
    pos = 2  # after SOI
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ValueError(f"not a JPEG marker at byte {pos}")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker == 0xDA:
            if not data.endswith(b"\xff\xd9"):
                raise ValueError("JPEG does not end with EOI")
            return len(data) - 2 - (pos + 2 + length)
        if marker in (0xC2, 0xC6, 0xCA, 0xCE):
            raise ValueError("progressive JPEG: more than one scan")
        pos += 2 + length
    raise ValueError("JPEG without a scan")


def webp_data_bytes(data: bytes) -> int:
    """Bytes of the VP8/VP8L bitstream chunk(s) of a WebP file, without RIFF."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ValueError("not a WebP file")
    pos, total = 12, 0
    while pos + 8 <= len(data):
        fourcc = data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        if fourcc in (b"VP8 ", b"VP8L"):
            total += size
        pos += 8 + size + (size & 1)  # chunks are padded to even length
    return total


def image_codec(
    X: np.ndarray, fmt: str, quality: int, data_bytes: Any, **options: Any
) -> dict[str, Any]:
    """Encode each image separately with Pillow; sizes in bits and mean PSNR."""
    from PIL import Image

    pixels = np.rint(X * 255).astype(np.uint8)
    file_bytes = data_total = 0
    decoded = np.empty(X.shape, dtype=np.float64)
    start = time.perf_counter()
    for i, image in enumerate(pixels):
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, fmt, quality=quality, **options)
        raw = buffer.getvalue()
        file_bytes += len(raw)
        data_total += data_bytes(raw)
        with Image.open(io.BytesIO(raw)) as back:
            decoded[i] = np.asarray(back.convert("L"), dtype=np.float64) / 255
    return {
        "quality": quality,
        "file_bits": 8 * file_bytes / len(X),
        "data_bits": 8 * data_total / len(X),
        "psnr": mean_psnr(X, decoded),
        "seconds": time.perf_counter() - start,
    }


def train(X: np.ndarray, code_size: int, args: argparse.Namespace) -> Any:
    ae = aekit.AutoEncoder(
        hidden_layer_sizes=args.hidden,
        code_size=code_size,
        activation="relu",
        code_activation="linear",
        output_activation="sigmoid",
        loss="mse",
        learning_rate=1e-3,
        batch_size=256,
        epochs=args.epochs,
        random_state=args.seed,
        verbose=args.verbose,
    )
    return ae.fit(X)


def decoder_params(ae: Any) -> int:
    return sum(p.numel() for p in ae.module_.decoder.parameters())


def aekit_rows(ae: Any, X_test: np.ndarray) -> list[dict[str, Any]]:
    """One row per quantisation: sizes (bits per image) and PSNR of the file."""
    rows = []
    for quantization in QUANTIZATIONS:
        sizes: dict[str, Any] = {}
        for codec in ("zlib", "lzma", "none"):
            buffer = io.BytesIO()
            start = time.perf_counter()
            stats = compress(ae, X_test, buffer, quantization=quantization, codec=codec)
            sizes[codec] = (stats, buffer.getvalue(), time.perf_counter() - start)
        stats, data, seconds = sizes["zlib"]
        start = time.perf_counter()
        X_hat = decompress(ae, io.BytesIO(data))
        decode_seconds = time.perf_counter() - start
        one = compress(ae, X_test[:1], io.BytesIO(), quantization=quantization)
        rows.append(
            {
                "code_size": stats.code_size,
                "quantization": quantization,
                "codec": "zlib",
                "file_bits": stats.bits_per_sample,
                "data_bits": stats.payload_bits_per_sample,
                "lzma_data_bits": sizes["lzma"][0].payload_bits_per_sample,
                "uncoded_data_bits": sizes["none"][0].payload_bits_per_sample,
                "single_image_file_bits": one.bits_per_sample,
                "psnr": mean_psnr(X_test, X_hat),
                "compress_seconds": seconds,
                "decompress_seconds": decode_seconds,
            }
        )
    return rows


# ------------------------------------------------------------------ comparisons
def _interp_log(x: float, xs: list[float], ys: list[float]) -> float:
    return float(np.interp(math.log(x), np.log(xs), ys))


def versus(
    ours: list[dict[str, Any]], theirs: list[dict[str, Any]], bits: str
) -> list[dict[str, Any]]:
    """Each of our points against the other codec's curve, both sizes in ``bits``.

    ``their_psnr`` is the codec's PSNR at our bit rate (``None`` outside the
    range its qualities span), ``delta_db`` ours minus theirs; below the codec's
    lowest rate, ``dominates`` says whether we are better than its lowest-rate
    point with fewer bits. ``their_bits`` is what the codec needs for our PSNR
    (``None`` when its qualities do not reach it) and ``bits_ratio`` that over
    ours.
    """
    curve = sorted(theirs, key=lambda r: r[bits])
    xs, ys = [r[bits] for r in curve], [r["psnr"] for r in curve]
    by_psnr = sorted(curve, key=lambda r: r["psnr"])
    out = []
    for row in ours:
        b, p = row[bits], row["psnr"]
        entry: dict[str, Any] = {
            "code_size": row["code_size"],
            "quantization": row["quantization"],
            "bits": b,
            "psnr": p,
            "their_psnr": None,
            "delta_db": None,
            "dominates": None,
            "their_bits": None,
            "bits_ratio": None,
            "their_lowest": {
                "quality": curve[0]["quality"],
                "bits": xs[0],
                "psnr": ys[0],
            },
        }
        if xs[0] <= b <= xs[-1]:
            entry["their_psnr"] = _interp_log(b, xs, ys)
            entry["delta_db"] = p - entry["their_psnr"]
        elif b < xs[0]:
            entry["dominates"] = bool(p >= ys[0])
        if by_psnr[0]["psnr"] <= p <= by_psnr[-1]["psnr"]:
            log_bits = np.interp(
                p, [r["psnr"] for r in by_psnr], np.log([r[bits] for r in by_psnr])
            )
            entry["their_bits"] = float(math.exp(log_bits))
            entry["bits_ratio"] = entry["their_bits"] / b
        out.append(entry)
    return out


def _range(values: list[float], fmt: str) -> str:
    lo, hi = min(values), max(values)
    return format(lo, fmt) if lo == hi else f"{format(lo, fmt)} to {format(hi, fmt)}"


def pareto(
    rows: list[dict[str, Any]], min_gain_db: float = 0.05
) -> list[dict[str, Any]]:
    """aekit's best curve: each row that beats every cheaper row by ``min_gain_db``.

    The margin keeps float16 twins of int8 points (0.01 dB better for twice the
    bits) off the curve.
    """
    front: list[dict[str, Any]] = []
    for row in sorted(rows, key=lambda r: (r["bits"], -r["psnr"])):
        if not front or row["psnr"] > front[-1]["psnr"] + min_gain_db:
            front.append(row)
    return front


def _settings(rows: list[dict[str, Any]], with_quantization: bool) -> str:
    """``code sizes 4, 8, 16`` or ``7 settings from c=4 int4 to c=64 int8``."""
    if not with_quantization:
        return "code sizes " + ", ".join(str(r["code_size"]) for r in rows)
    names = [f"c={r['code_size']} {r['quantization']}" for r in rows]
    if len(names) <= 3:
        return ", ".join(names)
    return f"{len(names)} settings from {names[0]} to {names[-1]}"


def summarise(rows: list[dict[str, Any]], codec: str, what: str, mixed: bool) -> str:
    """One sentence: where ``rows`` (aekit points) are ahead of ``codec``.

    ``mixed``: the rows come from several quantisations, so name them.
    """
    ahead = [r for r in rows if (r["delta_db"] or 0) > 0]
    behind = [r for r in rows if (r["delta_db"] or 0) < 0]
    dominant = [r for r in rows if r["dominates"]]
    below_unbeaten = [r for r in rows if r["dominates"] is False]
    parts = []
    if ahead:
        parts.append(
            f"ahead at equal bits at {_settings(ahead, mixed)} "
            f"({_range([r['bits'] for r in ahead], '.0f')} bits/image) by "
            f"{_range([r['delta_db'] for r in ahead], '+.1f')} dB"
        )
    if dominant:
        low = dominant[0]["their_lowest"]
        parts.append(
            f"at {_settings(dominant, mixed)} "
            f"({_range([r['bits'] for r in dominant], '.0f')} bits/image, "
            f"{_range([r['psnr'] for r in dominant], '.1f')} dB) below {codec}'s "
            f"lowest rate ({low['bits']:.0f} bits/image at q={low['quality']}, "
            f"{low['psnr']:.1f} dB) and better than it: fewer bits and more dB"
        )
    if behind:
        parts.append(
            f"behind at {_settings(behind, mixed)} "
            f"({_range([r['bits'] for r in behind], '.0f')} bits/image) by "
            f"{_range([-r['delta_db'] for r in behind], '.1f')} dB"
        )
    if below_unbeaten:
        low = below_unbeaten[0]["their_lowest"]
        parts.append(
            f"at {_settings(below_unbeaten, mixed)} below {codec}'s "
            f"lowest rate ({low['bits']:.0f} bits/image) but also below its "
            f"{low['psnr']:.1f} dB there: no comparison at equal bits"
        )
    ratios = [r["bits_ratio"] for r in rows if r["bits_ratio"] is not None]
    if ratios:
        parts.append(
            f"for the same PSNR {codec} needs {_range(ratios, '.1f')}× aekit's bits "
            f"({len(ratios)} of {len(rows)} points; the others are outside "
            f"{codec}'s PSNR range)"
        )
    return f"vs {codec} ({what}): " + ("; ".join(parts) or "no overlap") + "."


def ceiling(rows: dict[str, Any]) -> str:
    """Where aekit stops: its best PSNR, and the codecs' best."""
    best = max(rows["aekit"], key=lambda r: r["psnr"])
    jpeg = max(rows["jpeg"], key=lambda r: r["psnr"])
    webp = max(rows["webp"], key=lambda r: r["psnr"])
    return (
        f"aekit's PSNR tops out at {best['psnr']:.1f} dB (code size "
        f"{best['code_size']}); above it only JPEG (up to "
        f"{jpeg['psnr']:.1f} dB at q={jpeg['quality']}, {jpeg['file_bits']:.0f} "
        f"bits/image) and WebP (up to {webp['psnr']:.1f} dB at q={webp['quality']}, "
        f"{webp['file_bits']:.0f} bits/image) reach."
    )


def statements(result: dict[str, Any]) -> list[str]:
    lines = []
    for name, rows in result["datasets"].items():
        label = DATASETS[name]
        for key, codec, what in (
            ("jpeg_file", "JPEG", "whole files"),
            ("jpeg_data", "JPEG", "scan data only vs aekit payload"),
            ("webp_file", "WebP", "whole files"),
            ("webp_data", "WebP", "VP8 data only vs aekit payload"),
        ):
            int8 = [r for r in rows[key] if r["quantization"] == "int8"]
            lines.append(f"{label}, aekit int8 " + summarise(int8, codec, what, False))
            lines.append(
                f"{label}, best aekit settings (code size, quantisation) "
                + summarise(pareto(rows[key]), codec, what, True)
            )
        lines.append(f"{label}: " + ceiling(rows))
    return lines


# ------------------------------------------------------------------ output
def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(result["datasets"])
    fig, axes = plt.subplots(
        1, len(names), figsize=(6.2 * len(names), 4.8), squeeze=False
    )
    styles = {
        ("aekit", "int8"): dict(color="C0", marker="o", ls="-"),
        ("aekit", "int6"): dict(color="C9", marker="v", ls="-"),
        ("aekit", "int4"): dict(color="C4", marker="x", ls="-"),
        ("aekit", "float16"): dict(color="C0", marker="s", ls=":", mfc="none"),
        ("jpeg", "file"): dict(color="C3", marker="^", ls="-"),
        ("jpeg", "data"): dict(color="C3", marker="^", ls="--", mfc="none"),
        ("webp", "file"): dict(color="C2", marker="D", ls="-"),
        ("webp", "data"): dict(color="C2", marker="D", ls="--", mfc="none"),
    }
    for ax, name in zip(axes[0], names, strict=True):
        rows = result["datasets"][name]
        for quantization in QUANTIZATIONS:
            pts = sorted(
                (r for r in rows["aekit"] if r["quantization"] == quantization),
                key=lambda r: r["data_bits"],
            )
            ax.plot(
                [r["data_bits"] for r in pts],
                [r["psnr"] for r in pts],
                label=f"aekit, {quantization} codes + zlib",
                **styles[("aekit", quantization)],
            )
            if quantization == "int8":
                for r in pts:
                    ax.annotate(
                        f"c={r['code_size']}",
                        (r["data_bits"], r["psnr"]),
                        textcoords="offset points",
                        xytext=(-6, 7),
                        fontsize=7,
                        color="C0",
                    )
        for codec, label in (("jpeg", "JPEG"), ("webp", "WebP")):
            pts = sorted(rows[codec], key=lambda r: r["file_bits"])
            data_label = "scan only" if codec == "jpeg" else "VP8 data only"
            for kind, text in (("file", "whole file"), ("data", data_label)):
                ax.plot(
                    [r[f"{kind}_bits"] for r in pts],
                    [r["psnr"] for r in pts],
                    label=f"{label} ({text})",
                    **styles[(codec, kind)],
                )
        ax.set_xscale("log")
        ax.set_xlabel("bits per image (log scale)")
        ax.set_ylabel("PSNR (dB), mean over test images")
        ax.set_title(f"{DATASETS[name]}, {rows['n_test']} test images")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].legend(fontsize=8, loc="upper left")
    qualities = [r["quality"] for r in result["datasets"][names[0]]["jpeg"]]
    fig.suptitle(
        "Rate-distortion: aekit dense autoencoders (code size c; file ≈ payload, "
        "header amortised) vs JPEG and WebP "
        f"(qualities {min(qualities)}-{max(qualities)})",
        fontsize=11,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def comparison_table(rows: dict[str, Any]) -> list[str]:
    """aekit int8 against each codec's PSNR interpolated at the same bits."""
    lines = [
        "aekit int8 vs the codecs at equal bits per image (their PSNR interpolated "
        "in log bits between qualities; '<' = below their lowest rate, '>' = above "
        "their highest):",
        "",
        "| code size | bits (file) | aekit dB | JPEG dB | Δ | WebP dB | Δ "
        "| bits (data) | JPEG scan dB | Δ | WebP VP8 dB | Δ |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def int8(key: str) -> list[dict[str, Any]]:
        return [r for r in rows[key] if r["quantization"] == "int8"]

    def theirs(r: dict[str, Any]) -> list[str]:
        if r["their_psnr"] is None:
            return ["<" if r["dominates"] is not None else ">", ""]
        return [f"{r['their_psnr']:.2f}", f"{r['delta_db']:+.2f}"]

    for jf, wf, jd, wd in zip(
        int8("jpeg_file"),
        int8("webp_file"),
        int8("jpeg_data"),
        int8("webp_data"),
        strict=True,
    ):
        cells = [str(jf["code_size"]), f"{jf['bits']:.1f}", f"{jf['psnr']:.2f}"]
        cells += theirs(jf) + theirs(wf) + [f"{jd['bits']:.1f}"]
        cells += theirs(jd) + theirs(wd)
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def markdown(result: dict[str, Any]) -> str:
    """Tables of a result (written to ``results/compress.md``)."""
    cfg, hw = result["config"], result["hardware"]
    hidden = "-".join(str(h) for h in cfg["hidden"])
    lines = [
        f"Dense autoencoders 784-{hidden}-c (ReLU, linear code, sigmoid output, "
        f"MSE), {cfg['epochs']} epochs on the training images; codes quantised and "
        "zlib-coded in one `.aekc` file per test set. JPEG and WebP (Pillow) encode "
        "each 8-bit test image on its own. PSNR: mean over test images of the "
        f"per-image PSNR. {hw['cpu_threads']} torch thread(s) on a {hw['cpus']}-CPU "
        f"machine, torch {hw['torch']}, aekit "
        f"{hw['aekit']}, " + (f"GPU {hw['cuda']}" if hw["cuda"] else "CPU only") + ".",
        "",
        "Data only = aekit's coded payload, JPEG's scan (after SOS, before EOI), "
        "WebP's VP8 chunk payload; whole file = aekit's file ÷ images (header "
        "amortised), one JPEG/WebP file per image. aekit's decoder network "
        "(shared by sender and receiver, like the codecs' decoders) is not counted.",
    ]
    for name, rows in result["datasets"].items():
        lines += [
            "",
            f"### {DATASETS[name]} ({rows['n_train']} train / {rows['n_test']} "
            "test images)",
            "",
            "| method | setting | bits per image (data only) | bits per image "
            "(whole file) | PSNR dB |",
            "|---|---|---:|---:|---:|",
        ]
        for r in sorted(
            rows["aekit"], key=lambda r: (r["quantization"], r["data_bits"])
        ):
            lines.append(
                f"| aekit {r['quantization']} + zlib | c={r['code_size']} | "
                f"{r['data_bits']:.1f} | {r['file_bits']:.1f} | {r['psnr']:.2f} |"
            )
        for codec, label in (("jpeg", "JPEG"), ("webp", "WebP")):
            for r in rows[codec]:
                lines.append(
                    f"| {label} | q={r['quality']} | {r['data_bits']:.1f} | "
                    f"{r['file_bits']:.1f} | {r['psnr']:.2f} |"
                )
        lines += [
            "",
            "| code size | PSNR float32 codes | int8 PSNR | bits: zlib / lzma / "
            "uncoded | one-image file bits | decoder params (float32 bytes) | "
            "train s |",
            "|---:|---:|---:|---|---:|---:|---:|",
        ]
        for m in rows["models"]:
            r = next(
                r
                for r in rows["aekit"]
                if r["code_size"] == m["code_size"] and r["quantization"] == "int8"
            )
            lines.append(
                f"| {m['code_size']} | {m['psnr_float32']:.2f} | {r['psnr']:.2f} | "
                f"{r['data_bits']:.1f} / {r['lzma_data_bits']:.1f} / "
                f"{r['uncoded_data_bits']:.0f} | {r['single_image_file_bits']:.0f} | "
                f"{m['decoder_params']} ({4 * m['decoder_params'] / 1e6:.2f} MB) | "
                f"{m['fit_seconds']:.0f} |"
            )
        lines += ["", *comparison_table(rows)]
    lines += ["", "Where aekit beats the codecs:", ""]
    lines += [f"- {line}" for line in result["statement"]]
    if "figure" in result:
        lines += ["", f"Figure: [{result['figure']}](../../{result['figure']})"]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ main
def run_dataset(name: str, args: argparse.Namespace) -> dict[str, Any]:
    X, _ = aekit.datasets.load(name, split="train")
    X_test, _ = aekit.datasets.load(name, split="test")
    X, X_test = X[: args.limit], X_test[: args.test_limit]
    out: dict[str, Any] = {
        "n_train": len(X),
        "n_test": len(X_test),
        "aekit": [],
        "models": [],
    }
    for code_size in args.code_sizes:
        start = time.perf_counter()
        ae = train(X, code_size, args)
        fit_seconds = time.perf_counter() - start
        out["models"].append(
            {
                "code_size": code_size,
                "fit_seconds": fit_seconds,
                "final_loss": ae.history_["loss"][-1],
                "psnr_float32": mean_psnr(X_test, ae.reconstruct(X_test)),
                "decoder_params": decoder_params(ae),
            }
        )
        out["aekit"] += aekit_rows(ae, X_test)
    out["jpeg"] = [
        image_codec(X_test, "JPEG", q, jpeg_scan_bytes) for q in args.qualities
    ]
    out["webp"] = [
        image_codec(X_test, "WEBP", q, webp_data_bytes, method=6)
        for q in args.qualities
    ]
    return out


def analyse(result: dict[str, Any]) -> None:
    """Add the equal-bits comparisons and the statement to measured ``result``."""
    for rows in result["datasets"].values():
        for codec in ("jpeg", "webp"):
            for kind in ("file", "data"):
                bits = f"{kind}_bits"
                rows[f"{codec}_{kind}"] = versus(rows["aekit"], rows[codec], bits)
    result["statement"] = statements(result)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS)
    )
    parser.add_argument(
        "--code-sizes", nargs="+", type=int, default=list(CODE_SIZES), metavar="C"
    )
    parser.add_argument(
        "--qualities", nargs="+", type=int, default=list(QUALITIES), metavar="Q"
    )
    parser.add_argument(
        "--hidden",
        type=lambda s: tuple(int(v) for v in s.split(",")),
        default=(512, 256),
        help="encoder hidden layer sizes (default 512,256)",
    )
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--limit", type=int, default=None, help="training images")
    parser.add_argument("--test-limit", type=int, default=None, help="test images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=0)
    parser.add_argument(
        "--no-write", action="store_true", help="print only: no result files, figure"
    )
    parser.add_argument(
        "--render",
        metavar="JSON",
        default=None,
        help="redo the comparisons of a result file; rewrite the results and figure",
    )
    args = parser.parse_args(argv)
    if args.render:
        result = json.loads(Path(args.render).read_text())
        analyse(result)
        plot(result, FIGURE)
        save_result("compress", result, markdown)
        return result

    config = {k: v for k, v in vars(args).items() if k not in ("no_write", "render")}
    result: dict[str, Any] = {
        "benchmark": "compress",
        "config": config,
        "hardware": hardware(),
        "datasets": {name: run_dataset(name, args) for name in args.datasets},
    }
    analyse(result)
    full = args.limit is None and args.test_limit is None
    if not args.no_write and full:
        plot(result, FIGURE)
        result["figure"] = str(FIGURE.relative_to(ROOT))
    print(json.dumps(result, indent=2))
    for line in result["statement"]:
        print(line)
    if not args.no_write and full:
        save_result("compress", result, markdown)
    return result


if __name__ == "__main__":
    main()
