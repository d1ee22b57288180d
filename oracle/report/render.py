"""Rendering: summary.csv and the self-contained index.html (Jinja2 template, inline SVG histograms)."""
from __future__ import annotations

import math

import jinja2
import pandas as pd

from ..records import atomic_write
from .aggregate import BAND_LABELS, BANDS, CHECK_ORDER, HIST_LO, N_BINS, SUMMARY_COLUMNS, band, overview
from .template import TEMPLATE

BAND_COLOURS = {"failed": "#e5484d", "tight": "#f0a33a", "low": "#e4cf4c", "ok": "#9ccf7f", "good": "#4fa85a",
                "exact": "#6fa8dc"}


# ---- numbers -------------------------------------------------------------------------------------------
def fmt_err(x) -> str:
    """1.2e-7 style; 0, inf and nan spelled out."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    x = float(x)
    if x == 0:
        return "0"
    if math.isinf(x):
        return "inf"
    mantissa, exp = f"{x:.1e}".split("e")
    return f"{mantissa}e{int(exp)}"


def fmt_tol(x) -> str:
    x = float(x)
    if x == 0:
        return "0"
    mantissa, exp = f"{x:.2g}".split("e") if "e" in f"{x:.2g}" else (f"{x:.2g}", None)
    if exp is None:
        return mantissa
    return f"{mantissa}e{int(exp)}"


def fmt_ulp(x) -> str:
    x = float(x)
    if math.isnan(x):
        return "n/a"  # not applicable: a comparison against numerical derivatives records no ulp
    if math.isinf(x):
        return "inf"
    return f"{x:.0f}" if x < 1e5 and x == round(x) else fmt_err(x) if x >= 1e5 else f"{x:.2g}"


def fmt_headroom(h, basis: str = "") -> str:
    if basis == "floor":
        return "≥1"
    h = float(h)
    if math.isnan(h):
        return "nan"
    if math.isinf(h):
        return "exact"
    if h == 0:
        return "0"
    if h < 10:
        return f"{h:.2g}"
    if h < 1000:
        return f"{h:.0f}"
    return fmt_err(h)


def fmt_short_headroom(h, basis: str = "") -> str:
    """For the matrix cells: 2-3 characters."""
    if basis == "floor":
        return "≥1"
    h = float(h)
    if math.isinf(h):
        return "="
    if h < 1:
        return "✗"
    if h < 100:
        return f"{h:.0f}" if h >= 9.95 else f"{h:.1f}"
    mantissa, exp = f"{h:.0e}".split("e")
    return f"{mantissa}e{int(exp)}"


# ---- pieces --------------------------------------------------------------------------------------------
def hist_svg(counts: list[int], rtol: float) -> str:
    """A tiny histogram of log10(max_rel_err) per case: the first bar counts exact zeros, then one bar per
    decade from 1e-17 to >= 1; bars at or beyond rtol in orange, rtol itself as a red line."""
    w, h = 5, 16
    peak = max(counts) if counts else 0
    paths = {"": [], "z": [], "o": []}
    cut = 1 + math.log10(rtol) - HIST_LO if rtol > 0 else None
    for i, c in enumerate(counts):
        if not c:
            continue
        bar = max(2, round(h * c / peak))
        cls = "z" if i == 0 else ("o" if cut is not None and i >= math.floor(cut + 1e-9) else "")
        paths[cls].append(f"M{i * w} {h}v-{bar}h{w - 1}v{bar}z")
    parts = [f'<path{f" class={c}" if c else ""} d="{"".join(d)}"/>' for c, d in paths.items() if d]
    if cut is not None and 0 < cut < N_BINS:
        parts.append(f'<path class=t d="M{cut * w:.1f} 0v{h}"/>')
    return f'<svg class=hg viewBox="0 0 {N_BINS * w} {h}">{"".join(parts)}</svg>'


def band_bar(counts: dict) -> str:
    total = sum(counts.values())
    if not total:
        return ""
    spans = "".join(f'<span style="width:{100 * counts[b] / total:.2f}%;background:{BAND_COLOURS[b]}" '
                    f'title="{BAND_LABELS[b]}: {counts[b]}"></span>' for b in BANDS if counts.get(b))
    return f'<div class="bar">{spans}</div>'


def _meta_items(meta: dict) -> list[tuple[str, str]]:
    refgrad = meta.get("refgrad", "?") + (f" ({meta['refgrad_commit']})" if meta.get("refgrad_commit") else "")
    items = [("refgrad", refgrad), ("numpy", meta.get("numpy", "?")), ("torch", meta.get("torch", "?")),
             ("Python", meta.get("python", "?"))]
    profile = meta.get("hypothesis_profile") or "unknown"
    if meta.get("max_examples"):
        profile += f" ({meta['max_examples']} examples)"
    items.append(("Hypothesis profile", profile))
    if meta.get("hypothesis"):
        items.append(("Hypothesis", meta["hypothesis"]))
    if meta.get("date"):
        items.append(("date", meta["date"]))
    if meta.get("duration_s") is not None:
        items.append(("run time", f"{float(meta['duration_s']):.0f} s"))
    if meta.get("workers"):
        items.append(("xdist workers", str(meta["workers"])))
    if meta.get("args") is not None:
        items.append(("pytest args", " ".join(meta["args"]) or "(none)"))
    if meta.get("exit"):
        items.append(("pytest exit", str(meta["exit"])))
    if meta.get("platform"):
        items.append(("platform", meta["platform"]))
    return items


# ---- the page ------------------------------------------------------------------------------------------
def html(summary: pd.DataFrame, hists: dict, meta: dict) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(TEMPLATE)
    s = summary.reset_index(drop=True)
    rows = []
    for r in s.itertuples(index=False):
        b = band(r.headroom)
        worst = "" if b == "exact" else " · ".join(  # when every case is exact, no case is worst
            x for x in (r.worst_shapes.replace(";", "; "), r.worst_params, f"seed {r.worst_seed}" if r.worst_seed
                        else "") if x)
        # the inputs of the worst case only where they matter (failing or tight rows), to keep the page light
        title = "\n".join(x for x in (worst if len(worst) > 48 else "",
                                      f"example: {r.worst_example}" if r.worst_example and b in ("failed", "tight")
                                      else "", f"note: {r.worst_note}" if r.worst_note else "") if x)
        rows.append({
            "op": r.op, "family": r.family, "check": r.check, "dtype": r.dtype, "b": BANDS.index(b), "band": b,
            "bad": not r.passed, "cases": f"{r.n_cases}" + (f" ({r.n_failed}✗)" if r.n_failed else ""),
            "max_rel": fmt_err(r.max_rel_err), "med_rel": fmt_err(r.median_rel_err),
            "p99_rel": fmt_err(r.p99_rel_err), "max_abs": fmt_err(r.max_abs_err), "max_ulp": fmt_ulp(r.max_ulp),
            "rtol": fmt_tol(r.rtol), "atol": fmt_tol(r.atol), "headroom": fmt_headroom(r.headroom, r.headroom_basis),
            "hv": "Infinity" if math.isinf(r.headroom) else repr(float(r.headroom)),
            "basis": f"basis: {r.headroom_basis}", "max_rel_v": repr(float(r.max_rel_err)),
            "svg": hist_svg(hists.get((r.op, r.check, r.dtype), [0] * N_BINS), float(r.rtol)),
            "worst": worst, "worst_title": title})
    columns = sorted({(r["check"], r["dtype"]) for r in rows},
                     key=lambda cd: (CHECK_ORDER.index(cd[0]) if cd[0] in CHECK_ORDER else 99, cd))
    matrix = []
    for (op, family), g in s.groupby(["op", "family"], sort=False):
        by = {(x.check, x.dtype): x for x in g.itertuples(index=False)}
        cells = []
        for cd in columns:
            x = by.get(cd)
            cells.append(None if x is None else {
                "band": band(x.headroom), "text": fmt_short_headroom(x.headroom, x.headroom_basis),
                "title": f"headroom {fmt_headroom(x.headroom, x.headroom_basis)} · max rel err "
                         f"{fmt_err(x.max_rel_err)} · {x.n_cases} cases"
                         + (f" ({x.n_failed} failed)" if x.n_failed else "")})
        matrix.append({"op": op, "family": family, "cells": cells,
                       "b": min(BANDS.index(c["band"]) for c in cells if c)})

    def ov_rows(frame):
        out = []
        for o in frame.to_dict("records"):
            o["bar"] = band_bar({b: int(o[b]) for b in BANDS})
            o["min_band"] = band(o["min_headroom"])
            o["min_headroom"] = fmt_headroom(o["min_headroom"])
            o["median_headroom"] = fmt_headroom(o["median_headroom"])
            out.append(o)
        return out

    totals = {"ops": s["op"].nunique(), "rows": len(s), "cases": int(s["n_cases"].sum()) if len(s) else 0,
              "failed": int((~s["passed"].astype(bool)).sum()) if len(s) else 0,
              "min_headroom": fmt_headroom(s["headroom"].min()) if len(s) else "–"}
    return template.render(
        rows=rows, matrix=matrix, columns=columns, meta_items=_meta_items(meta), meta_note=meta.get("note", ""),
        totals=totals, bands=[(b, BAND_LABELS[b]) for b in BANDS],
        families=ov_rows(overview(s, ["family"])), checks=ov_rows(overview(s, ["check", "dtype"])),
        check_names=[c for c in CHECK_ORDER if c in set(s["check"])] + sorted(set(s["check"]) - set(CHECK_ORDER)),
        dtype_names=sorted(set(s["dtype"])))


def write_summary_csv(summary: pd.DataFrame, path: str) -> None:
    atomic_write(path, lambda fh: summary[SUMMARY_COLUMNS].to_csv(fh, index=False, lineterminator="\n"))


def write_html(page: str, path: str) -> None:
    atomic_write(path, lambda fh: fh.write(page))
