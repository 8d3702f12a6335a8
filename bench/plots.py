"""PNG plots for docs/performance.md, drawn with matplotlib (`pip install .[bench]`).

    .venv/bin/python -m bench.plots needle .var/needle.json docs/plots [--stem needle]
    .venv/bin/python -m bench.plots notifier docs/plots/notifier.json docs/plots

`needle` reads what `bench.needle_bench --json` wrote; `notifier` reads a small file of
time-to-SMS percentiles copied from `bench.notifier_bench`'s output, one entry per version:
{"label": ..., "baseline_p50_ms": ..., "baseline_p99_ms": ..., "p50_ms": ..., "p99_ms": ...}.
"""

import argparse
import json
from itertools import accumulate
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt  # after the backend is chosen

__all__ = ["needle_plots", "notifier_plot"]


def needle_plots(results: list[dict[str, Any]], out: Path, stem: str = "needle") -> list[Path]:
    return [
        _needle_times(results, out / f"{stem}-times.png"),
        _drain(results, out / f"{stem}-drain.png"),
    ]


def _needle_times(results: list[dict[str, Any]], path: Path) -> Path:
    figure, axes = plt.subplots(figsize=(7, 3.6))
    for result in results:
        phase = result["phase"]
        axes.plot(result["needles_posted"], phase["needles"], "o-", label=phase["label"])
    axes.axhline(1.3, color="k", linestyle="--", label="goal: one round trip (0.3 s) + 1 s")
    axes.set_yscale("log")
    axes.set_ylim(top=1000)
    axes.set_xlabel("needle posted at (s after the first SMS request)")
    axes.set_ylabel("intake 202 -> first SMS request (s)")
    axes.set_title("Extreme cases posted during a routine burst")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="upper right", ncol=3, fontsize="small")
    return _save(figure, path)


def _drain(results: list[dict[str, Any]], path: Path) -> Path:
    figure, axes = plt.subplots(figsize=(7, 3.6))
    end = 0.0
    for result in results:
        times = [row[0] for row in result["sms"]]
        segments = list(accumulate(row[1] for row in result["sms"]))
        axes.step(times, segments, where="post", label=result["phase"]["label"])
        end = max(end, times[-1])
    capacity = results[0]["phase"]["capacity"]
    axes.plot([0, end], [0, capacity * end], "k--", label=f"pool capacity {capacity:g} seg/s")
    axes.set_xlabel("seconds after the first SMS request")
    axes.set_ylabel("segments requested (cumulative)")
    axes.set_title("The burst drains at the pool's rate")
    axes.grid(True, alpha=0.3)
    axes.legend()
    return _save(figure, path)


def notifier_plot(rows: list[dict[str, Any]], out: Path) -> Path:
    figure, axes = plt.subplots(figsize=(max(7.0, 1.3 * len(rows)), 3.8))
    labels = [row["label"] for row in rows]
    width, positions = 0.2, range(len(rows))
    bars = ["baseline_p50_ms", "baseline_p99_ms", "p50_ms", "p99_ms"]
    for n, key in enumerate(bars):
        offsets = [p + (n - 1.5) * width for p in positions]
        axes.bar(offsets, [row[key] / 1000 for row in rows], width, label=key.removesuffix("_ms"))
    axes.set_xticks(list(positions), labels)
    axes.set_yscale("log")
    axes.set_ylabel("seconds")
    axes.set_title("bench.notifier_bench: intake 202 -> first SMS request")
    axes.set_ylim(top=1000)  # room for the legend above the bars
    axes.grid(True, axis="y", which="both", alpha=0.3)
    axes.legend(loc="upper left", ncol=4, fontsize="small")
    return _save(figure, out / "notifier-time-to-sms.png")


def _save(figure: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("which", choices=["needle", "notifier"])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--stem", default="needle", help="file names of the needle plots")
    args = parser.parse_args()
    data = json.loads(args.source.read_text(encoding="utf-8"))
    if args.which == "needle":
        paths = needle_plots(data, args.out, args.stem)
    else:
        paths = [notifier_plot(data, args.out)]
    for path in paths:
        print(path)


if __name__ == "__main__":
    main()
