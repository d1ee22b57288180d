"""Rendering: summary.csv and the self-contained index.html (Jinja2 template, inline SVG histograms)."""
from __future__ import annotations

import json
import math
import shlex

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from ..check_definitions import SOURCES, definition, definitions, entry, group_of
from ..records import atomic_write
from .aggregate import BAND_LABELS, BANDS, CHECK_ORDER, HIST_LO, N_BINS, SUMMARY_COLUMNS, _check_rank, band, overview
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
HIST_BAR = 6  # px per bin: 19 bins (exact 0, then decades 1e-17 .. >= 1) make a 114 px plot
HIST_H = 16
AXIS_TICKS = (("0", 0), ("1e-15", 3), ("1e-10", 8), ("1e-5", 13), ("1", 18))  # label, bin


def hist_svg(counts: list[int], rtol: float) -> str:
    """A tiny histogram of log10(max_rel_err) per case: the first bar counts exact zeros, then one bar per
    decade from 1e-17 to >= 1; bars at or beyond rtol in orange, rtol itself as a red line. Its axis is drawn once,
    in the column's header (``axis_svg``)."""
    w, h = HIST_BAR, HIST_H
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


def axis_svg() -> str:
    """The x axis the histograms share: max rel err by decade (first bin: exactly 0), with tick labels."""
    w = HIST_BAR
    ticks = "".join(f'<path d="M{(b + 0.5) * w:.0f} 0v3"/><text x="{(b + 0.5) * w:.0f}" y="12">{label}</text>'
                    for label, b in AXIS_TICKS)
    return f'<svg class=ax viewBox="0 0 {N_BINS * w} 14" role="img" aria-label="max rel err, log scale">{ticks}</svg>'


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
    failed_run, exit_label = exit_status(meta)
    if failed_run:
        items.append(("pytest exit status", exit_label))
    if meta.get("platform"):
        items.append(("platform", meta["platform"]))
    return items


# ---- columns other parts of the oracle may add (absent in older summaries) -----------------------------
OPTIONAL_COLUMNS = {"worst_test": "", "n_errors": 0, "n_shrink": -1, "truth_rel_err": math.nan,
                    "torch_truth_rel_err": math.nan, "accuracy": ""}
DEFAULT_TITLE = "refgrad vs PyTorch"
DEFAULT_INTRO = ("How far refgrad is from PyTorch and from numerical derivatives, per op, check and dtype. Headroom = "
                 "how many times larger the worst error could be and still pass its tolerance (definition at the "
                 "bottom).")
WORST_LIST = 10
NUMBER_COLUMNS = ("max_abs_err", "max_rel_err", "median_rel_err", "p99_rel_err", "max_ulp", "rtol", "atol", "headroom",
                  "truth_rel_err", "torch_truth_rel_err")


def with_optional_columns(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with every optional column present (n_shrink -1: not counted), string columns without NaN, and
    rows with a check that raised counted as failing."""
    s = summary.reset_index(drop=True).assign(
        **{c: v for c, v in OPTIONAL_COLUMNS.items() if c not in summary.columns})
    for c in ("worst_shapes", "worst_params", "worst_seed", "worst_example", "worst_note", "worst_test", "accuracy",
              "headroom_basis"):
        s[c] = s[c].fillna("").astype(str)
    for c in ("n_errors", "n_shrink"):
        s[c] = pd.to_numeric(s[c], errors="coerce").fillna(OPTIONAL_COLUMNS[c]).astype("int64")
    for c in NUMBER_COLUMNS:  # a summary.csv read back leaves an empty cell (no ulp, say) as text
        s[c] = pd.to_numeric(s[c], errors="coerce").astype(float)
    s["passed"] = s["passed"].astype(bool) & (s["n_errors"] == 0)  # a check that raised never reads as passing
    return s


def exit_status(meta: dict) -> tuple[bool, str]:
    """(whether pytest's run failed, how to say so) from run.json: ``exit_status`` (a number, 0 for success), or
    the older ``exit`` (an ExitCode name, empty for success)."""
    status = meta.get("exit_status")
    name = meta.get("exit_name") or meta.get("exit") or ""
    if status is None or status == "":
        return name not in ("", "OK"), str(name)
    try:
        code = int(status)
    except (TypeError, ValueError):
        return True, str(status)
    return code != 0, f"{code}" + (f" ({name})" if name and code else "")


def reproduce(test: str, meta: dict) -> str:
    """The shell command that re-runs a Record's test under the run's Hypothesis profile."""
    if not test:
        return ""
    profile = meta.get("hypothesis_profile") or ""
    return f"python -m pytest {shlex.quote(test)}" + (f" --hypothesis-profile={profile}" if profile else "")


def replay_note(meta: dict) -> str:
    """What re-running a node id replays, under the run's profile (``ci`` is derandomized: oracle/profiles.py;
    run.json may say so for other profiles with ``derandomize``)."""
    profile = meta.get("hypothesis_profile") or ""
    derandomized = meta.get("derandomize", profile == "ci")
    if derandomized:
        return (f"The {profile} profile is derandomized: re-running the node id replays the same examples, this "
                f"case included (same seed, shapes and inputs).")
    return ((f"The {profile} profile" if profile else "This run's profile") + " draws examples at random: a re-run "
            "may not meet this case again. A failing case is replayed exactly by the @reproduce_failure(...) "
            "decorator pytest prints for it (under a profile with print_blob, as this project's are), placed "
            "above the test.")


def _definitions_section(s: pd.DataFrame) -> list[dict]:
    """Per check table (ops, modules, ...) present in the run: its rows (what each check compares) with the checks
    of this run they define, the dtypes they ran in and their row count; checks the table does not name last."""
    out = []
    for group, table in definitions().items():
        here = s[s["family"].map(group_of) == group]
        if here.empty:
            continue
        pairs = here[["family", "check"]].drop_duplicates()
        defined_by = {(f, c): entry(f, c) for f, c in pairs.itertuples(index=False)}
        rows_of = here.assign(_e=[defined_by[(f, c)] for f, c in zip(here["family"], here["check"])])
        borrowed = [e for e in dict.fromkeys(defined_by.values()) if e is not None and e not in table]
        items = []
        for d in [*table, *borrowed, None]:  # borrowed: rows of the table a group falls back on (user: ops)
            sub = rows_of[rows_of["_e"].map(lambda e, d=d: e is d)]
            if d is not None and not d.check:  # a note row of the table, e.g. "(closure specs)"
                items.append({"checks": [], "label": f"({d.qualifier})", "qualifier": "", "compares": d.compares,
                              "dtypes": "", "n": ""})
                continue
            for checks in _split_undefined(sub, d):
                part = sub[sub["check"].isin(checks)]
                items.append({"checks": checks, "label": "", "qualifier": d.qualifier if d else "",
                              "compares": d.compares if d else "(not described in the check table)",
                              "dtypes": ", ".join(sorted(set(part["dtype"]))), "n": len(part)})
        out.append({"group": group, "title": SOURCES[group][0], "source": f"oracle/{SOURCES[group][1]}",
                    "items": items})
    return out


def _split_undefined(sub: pd.DataFrame, d) -> list[list[str]]:
    """The check names of one table row (together), or one list per check no row defines."""
    if sub.empty:
        return []
    names = sorted(set(sub["check"]), key=lambda c: (c != (d.check if d else ""), _check_rank(c), c))
    return [names] if d is not None else [[n] for n in names]


def _check_titles(s: pd.DataFrame) -> dict[str, str]:
    """check -> its definitions (one per check table it appears in), for tooltips."""
    out: dict[str, list[str]] = {}
    for (family, check) in s[["family", "check"]].drop_duplicates().itertuples(index=False):
        text = definition(family, check)
        line = f"{SOURCES[group_of(family)][0]}: {text}" if text else ""
        if line and line not in out.setdefault(check, []):
            out[check].append(line)
    return {c: "\n".join(v) for c, v in out.items()}


def _float32_section(s: pd.DataFrame) -> dict | None:
    """float32 rows judged against the float64 truth: counts per accuracy, and the rows where refgrad is less and
    more accurate than torch, with both errors. None when the summary has no accuracy verdicts."""
    judged = s[s["accuracy"].isin(["more", "same", "less"])]
    if judged.empty:
        return None
    # an op is less accurate when any of its rows is, more accurate when one is and none is less
    per_op = judged.groupby("op")["accuracy"].agg(
        lambda a: "less" if (a == "less").any() else "more" if (a == "more").any() else "same")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = judged["truth_rel_err"].to_numpy(float) / judged["torch_truth_rel_err"].to_numpy(float)

    def listing(kind):
        part = judged.assign(ratio_=ratio)[judged["accuracy"] == kind]
        part = part.sort_values("ratio_", ascending=kind == "more", kind="mergesort")
        return [{"id": int(i), "op": breakable(r.op), "check": r.check, "ours": fmt_err(r.truth_rel_err),
                 "theirs": fmt_err(r.torch_truth_rel_err), "ratio": _fmt_ratio(r.ratio_)}
                for i, r in zip(part.index, part.itertuples(index=False))]

    return {"rows": {k: int((judged["accuracy"] == k).sum()) for k in ("more", "same", "less")},
            "ops": {k: int((per_op == k).sum()) for k in ("more", "same", "less")}, "n_rows": len(judged),
            "n_ops": len(per_op), "less": listing("less"), "more": listing("more")}


def _fmt_ratio(x: float) -> str:
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "inf"
    return f"{x:.2g}×" if x < 100 else f"{fmt_err(x)}×"


def _worst_first(s: pd.DataFrame) -> pd.DataFrame:
    """Rows by headroom, least first (ties: larger max rel err first), failing and erroring rows included."""
    return s.assign(_h=s["headroom"].fillna(-1.0)).sort_values(["_h", "max_rel_err"], ascending=[True, False],
                                                              kind="mergesort")


def sort_key(headroom: float) -> str:
    """A grid cell's headroom for sorting, short (the grid has a cell per op and check · dtype): "inf" or 3 digits."""
    return "inf" if math.isinf(headroom) else f"{headroom:.3g}"


def breakable(name: str) -> Markup:
    """An op name that may wrap after its dots and before its "[variant]" (<wbr>: not in the text that is copied
    or that the filters read)."""
    return Markup(str(escape(name)).replace(".", ".<wbr>").replace("[", "<wbr>[").replace("_", "_<wbr>"))


def _cases(r) -> tuple[str, str, str]:
    """The cases cell: text, muted suffix, tooltip."""
    text = f"{r.n_cases}" + (f" ({r.n_failed}✗)" if r.n_failed else "")
    extra = " ".join(x for x in (f"{r.n_errors} raised" if r.n_errors else "",
                                 f"+{r.n_shrink} shrinking" if r.n_shrink > 0 else "") if x)
    if not (r.n_failed or r.n_errors or r.n_shrink > 0):
        return text, "", ""  # the column's header says what the number counts
    title = (f"{r.n_cases} Hypothesis examples" if r.n_shrink >= 0 else f"{r.n_cases} check executions") + \
        (f", {r.n_failed} failed" if r.n_failed else "") + \
        (f"; {r.n_errors} raised an exception" if r.n_errors else "") + \
        (f"; {r.n_shrink} more records while Hypothesis shrank a failure" if r.n_shrink > 0 else "")
    return text, extra, title


# ---- the page ------------------------------------------------------------------------------------------
def html(summary: pd.DataFrame, hists: dict, meta: dict) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(TEMPLATE)
    s = with_optional_columns(summary)
    has_truth = bool(s["truth_rel_err"].notna().any() or s["torch_truth_rel_err"].notna().any())
    rows, details = [], []
    for i, r in enumerate(s.itertuples(index=False)):
        b = band(r.headroom)
        worst = "" if b == "exact" else " · ".join(  # when every case is exact, no case is worst
            x for x in (r.worst_shapes.replace(";", "; "), r.worst_params, f"seed {r.worst_seed}" if r.worst_seed
                        else "") if x)
        cases, cases_extra, cases_title = _cases(r)
        rows.append({
            "id": i, "op": r.op, "op_html": breakable(r.op), "family": r.family, "check": r.check, "dtype": r.dtype,
            "b": BANDS.index(b),
            "band": b, "bad": not r.passed, "cases": cases, "cases_extra": cases_extra, "cases_title": cases_title,
            "max_rel": fmt_err(r.max_rel_err), "med_rel": fmt_err(r.median_rel_err),
            "p99_rel": fmt_err(r.p99_rel_err), "max_abs": fmt_err(r.max_abs_err), "max_ulp": fmt_ulp(r.max_ulp),
            "rtol": fmt_tol(r.rtol), "atol": fmt_tol(r.atol), "headroom": fmt_headroom(r.headroom, r.headroom_basis),
            "hv": "Infinity" if math.isinf(r.headroom) else repr(float(r.headroom)),
            "basis": f"basis: {r.headroom_basis}", "max_rel_v": repr(float(r.max_rel_err)),
            "truth": fmt_err(r.truth_rel_err) if not math.isnan(r.truth_rel_err) else "",
            "torch_truth": fmt_err(r.torch_truth_rel_err) if not math.isnan(r.torch_truth_rel_err) else "",
            "accuracy": r.accuracy,
            "svg": hist_svg(hists.get((r.op, r.check, r.dtype), [0] * N_BINS), float(r.rtol)),
            "worst": worst or ("every case exact" if b == "exact" else "")})
        # what the worst-case panel shows (built on click, to keep the table light): command, inputs, note
        details.append([reproduce(r.worst_test, meta), r.worst_example if b != "exact" else "", r.worst_note])
    columns = sorted({(r["check"], r["dtype"]) for r in rows},
                     key=lambda cd: (_check_rank(cd[0]), cd))
    matrix = []
    for (op, family), g in s.groupby(["op", "family"], sort=False):
        by = {(x.check, x.dtype): x for x in g.itertuples(index=False)}
        cells = []
        for cd in columns:
            x = by.get(cd)
            cells.append(None if x is None else {
                "band": band(x.headroom), "text": fmt_short_headroom(x.headroom, x.headroom_basis),
                "hv": sort_key(x.headroom),
                "title": f"headroom {fmt_headroom(x.headroom, x.headroom_basis)} · max rel err "
                         f"{fmt_err(x.max_rel_err)} · {x.n_cases} cases"
                         + (f" ({x.n_failed} failed)" if x.n_failed else "")
                         + (f" ({x.n_errors} raised)" if x.n_errors else "")})
        least = g["headroom"].min()
        matrix.append({"op": op, "op_html": breakable(op), "family": family, "cells": cells,
                       "b": BANDS.index(band(least)),
                       "least": fmt_short_headroom(least), "least_band": band(least),
                       "least_v": sort_key(least)})

    def ov_rows(frame):
        out = []
        for o in frame.to_dict("records"):
            o["bar"] = band_bar({b: int(o[b]) for b in BANDS})
            o["min_band"] = band(o["min_headroom"])
            o["min_headroom"] = fmt_headroom(o["min_headroom"])
            o["median_headroom"] = fmt_headroom(o["median_headroom"])
            out.append(o)
        return out

    ranked = _worst_first(s)
    worst = [{"id": int(i), "op": r.op, "check": r.check, "dtype": r.dtype, "band": band(r.headroom),
              "headroom": fmt_headroom(r.headroom, r.headroom_basis), "basis": r.headroom_basis,
              "max_rel": fmt_err(r.max_rel_err), "failed": not r.passed, "errors": int(r.n_errors)}
             for i, r in zip(ranked.index[:WORST_LIST], ranked.head(WORST_LIST).itertuples(index=False))
             if band(r.headroom) != "exact"]
    failed_run, exit_label = exit_status(meta)
    failing = int((~s["passed"].astype(bool)).sum()) if len(s) else 0
    totals = {"ops": s["op"].nunique(), "rows": len(s), "cases": int(s["n_cases"].sum()) if len(s) else 0,
              "failed": failing, "raised_rows": int((s["n_errors"] > 0).sum()),
              "raised": int(s["n_errors"].sum()), "shrink": int(s["n_shrink"].clip(lower=0).sum()),
              "exit_failed": failed_run, "exit": exit_label,
              "min_headroom": fmt_headroom(s["headroom"].min()) if len(s) else "–",
              "least": worst[0] if worst else None}
    check_titles = _check_titles(s)
    families = ov_rows(overview(s, ["family"]))
    checks = ov_rows(overview(s, ["check", "dtype"]))
    for c in checks:
        c["title"] = check_titles.get(c["check"], "")
    return template.render(
        title=meta.get("title") or DEFAULT_TITLE, intro=meta.get("intro") or DEFAULT_INTRO,
        rows=rows, details=_json_for_script(details), replay=replay_note(meta), has_truth=has_truth, axis=axis_svg(),
        matrix=matrix, columns=[(c, d, check_titles.get(c, "")) for c, d in columns],
        meta_items=_meta_items(meta), meta_note=meta.get("note", ""), totals=totals, worst=worst,
        bands=[(b, BAND_LABELS[b]) for b in BANDS], families=families, checks=checks,
        defined=_definitions_section(s), float32=_float32_section(s),
        check_names=[c for c in CHECK_ORDER if c in set(s["check"])] + sorted(set(s["check"]) - set(CHECK_ORDER)),
        dtype_names=sorted(set(s["dtype"])))


def _json_for_script(value) -> str:
    """JSON that can sit inside <script type=application/json>: no "<" (so no "</script>") in it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def write_summary_csv(summary: pd.DataFrame, path: str) -> None:
    atomic_write(path, lambda fh: summary[SUMMARY_COLUMNS].to_csv(fh, index=False, lineterminator="\n"))


def write_html(page: str, path: str) -> None:
    atomic_write(path, lambda fh: fh.write(page))
