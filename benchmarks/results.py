"""The matrix's results as tables: markdown (one table per group, the setting above them), CSV (one row per case) and
the pyperf JSON suite of every implementation's per-round values.

The headline is refgrad's ratio to each baseline: the ratio of the medians, with the interquartile range of the
per-round ratios (each round times every implementation once, so a round's ratio is a paired comparison)."""
from __future__ import annotations

import csv
import statistics
from pathlib import Path

import numpy as np
import pyperf

from .case import NUMPY, REFGRAD, TORCH
from .timing import BLOCK_SECONDS

COLUMN_ORDER = (NUMPY, TORCH, "torch math", REFGRAD)
BASELINES = (NUMPY, TORCH)


def other_refgrads(results) -> list[str]:
    """The refgrads from other checkouts (``--against``: "refgrad@<commit>") that the results hold: each is one more
    column and one more baseline of refgrad's ratios."""
    return sorted({name for result in results for name in result.measured if name.startswith(f"{REFGRAD}@")})


def columns(results) -> list[str]:
    return [*COLUMN_ORDER[:-1], *other_refgrads(results), REFGRAD]


def baselines_of(results) -> list[str]:
    return [*BASELINES, *other_refgrads(results)]


def ratio(result, baseline: str, field: str = "seconds") -> tuple[float, float, float]:
    """refgrad's median over the baseline's (wall-clock seconds, or another field of the Measurements), and the
    quartiles of the per-round ratios."""
    ours = [getattr(m, field) for m in result.measured[REFGRAD]]
    theirs = [getattr(m, field) for m in result.measured[baseline]]
    per_round = np.array(ours) / np.array(theirs)
    return (statistics.median(ours) / statistics.median(theirs), float(np.percentile(per_round, 25)),
            float(np.percentile(per_round, 75)))


def standing(result) -> tuple[bool, str]:
    """Whether refgrad is within every target of the case, and the ones it misses."""
    missed = [f"{ratio(result, baseline)[0]:.2f}× > {target}× {baseline}"
              for baseline, target in result.case.targets.items() if ratio(result, baseline)[0] > target]
    return not missed, "; ".join(missed)


def time_text(benchmark: pyperf.Benchmark, per_op: bool) -> str:
    scale, unit = (1e6, "µs") if per_op else (1e3, "ms")
    median = benchmark.median()
    shown = f"{median * scale:.3g}" if median * scale < 1000 else f"{median * scale:.0f}"
    return f"{shown} {unit} ±{100 * benchmark.median_abs_dev() / median:.0f}%"


def csv_row(result) -> dict:
    case = result.case
    row = {"group": case.group, "case": case.name, "unit": case.unit,
           "rounds": len(result.measured[REFGRAD])}
    scale = 1e6 if case.ops_per_call > 1 else 1e3
    for implementation in columns([result]):
        benchmark = result.benchmarks.get(implementation)
        row[f"{implementation} median"] = f"{benchmark.median() * scale:.6g}" if benchmark else ""
        row[f"{implementation} MAD"] = f"{benchmark.median_abs_dev() * scale:.3g}" if benchmark else ""
        measured = result.measured.get(implementation)
        cpu = statistics.median(m.cpu_seconds for m in measured) * scale / case.ops_per_call if measured else None
        row[f"{implementation} CPU median"] = f"{cpu:.6g}" if measured else ""
        faults = statistics.median(m.page_faults for m in measured) if measured else None
        row[f"{implementation} page faults per call"] = f"{faults:g}" if measured else ""
        row[f"{implementation} garbage collector share"] = f"{gc_share(measured):.4f}" if measured else ""
        traced = implementation in result.peak_bytes and not implementation.startswith(TORCH)
        row[f"{implementation} peak traced MB"] = f"{result.peak_bytes[implementation] / 1e6:.3g}" if traced else ""
    for baseline in baselines_of([result]):
        present = baseline in result.measured
        value, low, high = ratio(result, baseline) if present else (None, None, None)
        row[f"refgrad/{baseline}"] = f"{value:.3f}" if present else ""
        row[f"refgrad/{baseline} per-round quartiles"] = f"{low:.3f}-{high:.3f}" if present else ""
        row[f"refgrad/{baseline} CPU time"] = f"{ratio(result, baseline, 'cpu_seconds')[0]:.3f}" if present else ""
        row[f"target refgrad/{baseline}"] = result.case.targets.get(baseline, "")
    within, missed = standing(result)
    row["within target"] = "yes" if within else "no"
    row["missed"] = missed
    return row


def gc_share(measured) -> float:
    """The share of the timed calls' time that Python's garbage collector took."""
    return sum(m.gc_seconds for m in measured) / sum(m.seconds for m in measured)


def group_table(results) -> list[str]:
    implementations = [name for name in columns(results) if any(name in result.measured for result in results)]
    baselines = [name for name in baselines_of(results) if name in implementations]
    per_op = results[0].case.ops_per_call > 1
    header = ["case", *implementations, *(f"refgrad/{b}" for b in baselines), "target", "stands",
              f"CPU-time ratio to {baselines[0]}", f"page faults per call (refgrad / {baselines[0]})",
              "peak traced MB per call (refgrad" + (" / numpy)" if NUMPY in implementations else ")"),
              "garbage collector's share of refgrad's time"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for result in results:
        cells = [result.case.name]
        cells += [time_text(result.benchmarks[name], per_op) if name in result.benchmarks else "–"
                  for name in implementations]
        for baseline in baselines:
            value, low, high = ratio(result, baseline) if baseline in result.measured else (None, 0, 0)
            cells.append(f"**{value:.2f}×** ({low:.2f}–{high:.2f})" if value else "–")
        cells.append(", ".join(f"≤ {target}× {baseline}" for baseline, target in result.case.targets.items()))
        within, missed = standing(result)
        cells.append("✓" if within else f"✗ {missed}")
        # the header's baseline, or where a row lacks it (a model without a NumPy step beside one with), its own first
        base = next(name for name in baselines if name in result.measured)
        named = "" if base == baselines[0] else f" {base}"
        cells.append(f"{ratio(result, base, 'cpu_seconds')[0]:.2f}×{named}")
        faults = [statistics.median(m.page_faults for m in result.measured[name]) for name in (REFGRAD, base)]
        cells.append(f"{faults[0]:g} / {faults[1]:g}{named}")
        peaks = [result.peak_bytes[name] / 1e6 for name in (REFGRAD, NUMPY) if name in result.peak_bytes]
        cells.append(" / ".join(f"{peak:.3g}" for peak in peaks))
        cells.append(f"{100 * gc_share(result.measured[REFGRAD]):.1f}%")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def markdown(results, setting: dict) -> str:
    versions = {}
    for result in results:
        for found in result.versions.values():
            versions.update(found)
    met = sum(standing(result)[0] for result in results)
    lines = [f"# refgrad benchmark matrix, {setting['started']}" + (" (--quick)" if setting["quick"] else ""), "",
             "Machine: " + ", ".join(f"{key} {value}" for key, value in setting["machine"].items()) + ".",
             "Versions: " + ", ".join(f"{key} {value}" for key, value in versions.items()) + ".",
             f"Mode: {setting['mode']}; implementations interleaved round by round, each following each other "
             f"equally often; a round times each implementation's step over consecutive calls (warm, as in a "
             f"training loop) lasting {BLOCK_SECONDS * 1e3:g} ms or more, after one untimed call, or a step of "
             f"{BLOCK_SECONDS * 1e3:g} ms or more alone. Times: median ±median absolute deviation; ratios: "
             f"refgrad's median over the baseline's (interquartile range of the per-round ratios); CPU-time ratio: "
             f"the same over the process's CPU time; page faults: the median per call; peak traced MB: "
             f"tracemalloc's peak over one untimed step; the garbage collector's share: its time (gc.callbacks) "
             f"over the timed calls' time.",
             *([f"Note: {setting['note']}"] if setting.get("note") else []), "",
             f"**{met} of {len(results)} cases within their targets.**"]
    groups = list(dict.fromkeys(result.case.group for result in results))
    lines += ["", "| group | cases | within target | refgrad's ratio to its target baseline: median, worst |",
              "|---|---|---|---|"]
    for group in groups:
        members = [result for result in results if result.case.group == group]
        ratios = [(ratio(result, baseline)[0], baseline, result.case.name) for result in members
                  for baseline in list(result.case.targets)[:1]]
        worst = max(ratios)
        lines.append(f"| {group} | {len(members)} | {sum(standing(result)[0] for result in members)} | "
                     f"{statistics.median(r for r, _, _ in ratios):.2f}×, {worst[0]:.2f}× {worst[1]} ({worst[2]}) |")
    for group in groups:
        members = [result for result in results if result.case.group == group]
        lines += ["", f"## {group} ({members[0].case.unit})", "", *group_table(members)]
    return "\n".join(lines) + "\n"


def write_results(results, setting: dict, stem: Path | None) -> str:
    """The markdown text; with a stem, also writes stem.md, stem.csv and stem.json.gz (pyperf suite, compressed)."""
    text = markdown(results, setting)
    if stem is not None:
        stem.parent.mkdir(parents=True, exist_ok=True)
        stem.with_suffix(".md").write_text(text, encoding="utf-8")
        rows = [csv_row(result) for result in results]
        with stem.with_suffix(".csv").open("w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        suite = pyperf.BenchmarkSuite([bench for result in results for bench in result.benchmarks.values()])
        suite.dump(f"{stem}.json.gz", replace=True)
        text += f"\nwritten: {stem}.md, .csv, .json.gz\n"
    return text
