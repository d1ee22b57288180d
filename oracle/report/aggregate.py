"""From Records to per-(op, check, dtype) summary rows, with pandas.

Every statistic below is computable from the Record fields alone (``oracle.records.FIELDS``), so a
summary rebuilt from a records.csv equals the one written at the end of the run, and the same rows give
the same summary whatever order they come in (serial run, pytest-xdist workers, shards on several machines).

Summary columns (one row per op, check, dtype). Each Record notes the Hypothesis phase its example ran in
(``Record.phase``, see ``oracle.execution``). Once an example fails, Hypothesis runs many smaller variants of it
to shrink the failure (a row of an 8-example profile once showed 106 Records, 102 of them failing); those are not
cases the check was asked to cover, so they are counted apart:

- ``n_cases``: Records made outside shrinking: examples generated, reused from the database or given explicitly
  (one Record per example and check). Records without a phase (files written before phases existed, or a
  Hypothesis the harness cannot read the phase of) count here, as all Records did before.
- ``n_shrink``: Records made while Hypothesis shrank a failure (phases ``shrink`` and ``explain``) and the final
  replay of the minimal failing example that it reports (``final``). ``n_cases + n_shrink`` = Records in the group.
- ``n_failed``: of the ``n_cases``, how many did not pass (failed a comparison or raised); ``n_errors``: of those,
  how many raised (status ``error``: the check crashed and compared nothing, its note names the exception).
- ``n_elements``: elements compared, summed over all Records.
- ``max_abs_err``, ``max_rel_err``, ``max_ulp``: maxima over all the group's Records, shrinking included.
- ``median_rel_err``: median of the ``max_rel_err`` of the ``n_cases`` Records (mean of the two middle values for
  an even count); ``p99_rel_err``: their nearest-rank 99th percentile, the ⌈0.99·n⌉-th smallest, an observed
  value (for fewer than 100 cases, the maximum). A group with Records from shrinking only takes them all.
- ``rtol``, ``atol``: the tolerance the checks ran with (the largest, should a group ever mix two).
- ``passed``: every Record of the group passed, shrinking included: a group with any failing or erroring Record
  fails. A crash makes its (op, check, dtype) group even when the check left no other Record.
- ``truth_rel_err``, ``torch_truth_rel_err``: float32 rows judged against the float64 truth (oracle.metrics
  .compare_to_truth): the largest relative error of refgrad's, and of torch's, float32 results against torch's float64
  result over the group's Records; NaN where no Record has one (float64 rows, numerical checks, integer outputs).
- ``accuracy``: refgrad's float32 against torch's, from those two: ``same`` when neither is more than SAME_FACTOR (2)
  times the other, else ``more`` (refgrad's error the smaller) or ``less``; errors below half a float32 ulp (2^-24,
  a correctly rounded result) count as 2^-24, so two correctly rounded results are the same; "" without truth, and
  where both errors exceed TRUTH_MAX (0.1: a truth near 0, both results judged by atol, no verdict).
  ``float32_accuracy(summary)`` lists these rows.
- ``headroom``, ``headroom_basis``: see below; ``worst_*``: the Record with the least headroom over all the
  group's Records, shrinking included (ties: a crash first, then larger ``max_rel_err``, larger ``max_abs_err``,
  then the first in record order), enough to reproduce it: its shapes, params (non-tensor arguments), seed (of
  the random cotangents/directions), example (the input values when at most 24 elements) and note.

Headroom
--------
A comparison passes when every element satisfies ``|a - e| <= atol + rtol·|e|``. *Headroom* is the factor by
which the errors could grow and the check still pass: ``min over elements of (atol + rtol·|e|) / |a - e|``.
A Record keeps only the maxima over its elements (``max_abs_err``, ``max_rel_err``), which may come from
different elements, so the report uses this bound, computed per Record::

    bound = max(atol / max_abs_err, rtol / max_rel_err)        (x / 0 = inf; 0 / 0 = inf)

Since ``atol + rtol·|e| >= max(atol, rtol·|e|)`` for every element, the true headroom is at least ``bound``:
errors ``bound`` times larger would still pass. ``headroom_basis`` says which term gave the bound: ``rtol``
(relative error dominates, the usual case) or ``atol`` (values near zero, where the absolute tolerance is what
holds). Two corrections keep it honest:

- a Record that *passed* has headroom at least 1 (every element was checked), so ``headroom = max(bound, 1)``;
  when the floor applies (the largest absolute and the largest relative error sit on different elements, each
  covered by the other term) the basis is ``floor``: the real headroom is >= 1 but the Record cannot say more;
- a Record that *failed* has headroom below 1: ``headroom = bound`` when ``bound < 1``, else ``0`` with basis
  ``mismatch`` (the failure is not one of magnitude: NaN/inf pattern, shape, dtype or differentiability).

The relative errors are floored at the output's scale (oracle.metrics.relative_floor), a floor capped at atol/rtol so
that ``rtol·max(|e|, floor) <= atol + rtol·|e|`` and the bound stays a lower bound. A float32 Record that passed
against the float64 truth while its direct difference exceeds the tolerance gets headroom 1, basis ``floor``.

Bitwise-equal results (both errors 0) give ``inf`` with basis ``exact``; a Record of a check that raised has
headroom ``0`` with basis ``error``. A NaN error counts as ``inf``.
The headroom of a group is the minimum over its Records. The HTML colours rows by it: < 1 failed,
[1, 3) tight, [3, 10), [10, 100), >= 100, exact.
"""
from __future__ import annotations

import math
import sys
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..metrics import TRUTH_MAX
from ..records import FIELDS, LATER_FIELDS, SHRINK_PHASES

KEYS = ["op", "check", "dtype"]
CHECK_ORDER = ["forward", "vjp_torch", "vjp_numeric", "jvp", "jvp_adjoint", "double_backward", "kinks"]
STR_FIELDS = ["op", "family", "check", "dtype", "shapes", "params", "seed", "example", "note", "status", "phase",
              "test"]
FLOAT_FIELDS = ["max_abs_err", "max_rel_err", "max_ulp", "rtol", "atol", "truth_rel_err", "torch_truth_rel_err"]
SUMMARY_COLUMNS = ["op", "family", "check", "dtype", "n_cases", "n_failed", "n_errors", "n_shrink", "n_elements",
                   "max_abs_err",
                   "max_rel_err", "median_rel_err", "p99_rel_err", "max_ulp", "rtol", "atol", "headroom",
                   "headroom_basis", "passed", "worst_shapes", "worst_params", "worst_seed", "worst_example",
                   "worst_note", "worst_test", "truth_rel_err", "torch_truth_rel_err", "accuracy"]
SAME_FACTOR = 2.0  # float32 accuracy: refgrad's and torch's errors against the truth within this factor are "same"
ROUNDED = 2.0**-24  # a float32 relative error below half an ulp: correctly rounded
# log10(max_rel_err) histogram: one bin for exact zeros, then decades 1e-17 .. 1e0 (the last takes >= 1, inf)
HIST_LO, HIST_HI = -17, 0
N_BINS = HIST_HI - HIST_LO + 2


# ---- reading -------------------------------------------------------------------------------------------
def records_frame(records: Iterable) -> pd.DataFrame:
    """A frame of Records (``Record`` objects or dicts with the Record fields), typed like ``read_records``."""
    rows = [r.as_row() if hasattr(r, "as_row") else dict(r) for r in records]
    return _typed(pd.DataFrame(rows, columns=list(FIELDS)))


def read_records(path: str, progress: bool | None = None, chunk_rows: int = 50_000) -> pd.DataFrame:
    """records.csv -> typed frame. Reads in chunks and, for large files (or ``progress=True``), reports its
    progress on stderr."""
    import os

    size = os.path.getsize(path)
    show = progress if progress is not None else size > 16 * 2**20
    parts = []
    with open(path, newline="") as fh:
        reader = pd.read_csv(fh, dtype=str, keep_default_na=False, chunksize=chunk_rows)
        for chunk in reader:
            parts.append(chunk)
            if show:
                done = fh.tell() / size if size else 1.0
                print(f"\rreading {path}: {sum(len(p) for p in parts):,} records ({done:.0%})", end="",
                      file=sys.stderr, flush=True)
    if show:
        print(file=sys.stderr)
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(FIELDS))
    missing = [f for f in FIELDS if f not in frame.columns and f not in LATER_FIELDS]
    if missing:
        raise ValueError(f"{path}: not a records file (missing columns {missing})")
    frame = frame.assign(**{f: v for f, v in LATER_FIELDS.items() if f not in frame.columns})
    return _typed(frame[list(FIELDS)])


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for c in STR_FIELDS:
        frame[c] = frame[c].fillna("").astype(str)
    for c in FLOAT_FIELDS:
        # text columns (pandas >= 3 reads them as str, not object): "" (a column an older file lacks) becomes NaN
        frame[c] = frame[c].astype(float) if pd.api.types.is_numeric_dtype(frame[c]) \
            else pd.to_numeric(frame[c], errors="coerce").astype(float)
    frame["n_elements"] = pd.to_numeric(frame["n_elements"]).astype("int64")
    frame["passed"] = frame["passed"].map(_to_bool).astype(bool)
    # records written before the status column: passed or failed as the flag says
    frame["status"] = frame["status"].where(frame["status"] != "", np.where(frame["passed"], "passed", "failed"))
    return frame


def _to_bool(v) -> bool:
    if isinstance(v, str):
        if v not in ("True", "False", "true", "false", "1", "0"):
            raise ValueError(f"passed must be True or False, got {v!r}")
        return v in ("True", "true", "1")
    return bool(v)


def sort_records(frame: pd.DataFrame) -> pd.DataFrame:
    """A deterministic order that does not depend on which process wrote which row."""
    order = frame.assign(_c=frame["check"].map(_check_rank))
    cols = ["family", "op", "_c", "check", "dtype", "seed", "shapes", "params", "example", "note"]
    return order.sort_values(cols, kind="mergesort").drop(columns="_c").reset_index(drop=True)


def _check_rank(check: str) -> int:
    return CHECK_ORDER.index(check) if check in CHECK_ORDER else len(CHECK_ORDER)


# ---- headroom ------------------------------------------------------------------------------------------
def _ratio(tol: np.ndarray, err: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = tol / err  # a subnormal error overflows the ratio to inf: unlimited headroom, as it should read
    r = np.where(err == 0, np.inf, r)  # no error: unlimited headroom from this term (0/0 included)
    return np.where(np.isnan(r), 0.0, r)


def record_headroom(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds ``headroom`` and ``headroom_basis`` per Record (definition in the module docstring)."""
    abs_err = frame["max_abs_err"].to_numpy(float, na_value=np.inf)
    rel_err = frame["max_rel_err"].to_numpy(float, na_value=np.inf)
    abs_err = np.where(np.isnan(abs_err), np.inf, abs_err)
    rel_err = np.where(np.isnan(rel_err), np.inf, rel_err)
    by_rel = _ratio(frame["rtol"].to_numpy(float), rel_err)
    by_abs = _ratio(frame["atol"].to_numpy(float), abs_err)
    bound = np.maximum(by_rel, by_abs)
    passed = frame["passed"].to_numpy(bool)
    exact = (abs_err == 0) & (rel_err == 0)
    basis = np.where(by_rel >= by_abs, "rtol", "atol").astype(object)
    headroom = bound.copy()
    floor = passed & (bound < 1)
    headroom[floor] = 1.0
    basis[floor] = "floor"
    mismatch = ~passed & (bound >= 1)
    headroom[mismatch] = 0.0
    basis[mismatch] = "mismatch"
    basis[exact & passed] = "exact"
    crashed = (frame["status"] == "error").to_numpy(bool)
    headroom[crashed] = 0.0
    basis[crashed] = "error"
    out = frame.copy()
    out["headroom"] = headroom
    out["headroom_basis"] = basis
    return out


# ---- summary -------------------------------------------------------------------------------------------
def summarize(records: pd.DataFrame) -> pd.DataFrame:
    """One row per (op, check, dtype), columns ``SUMMARY_COLUMNS``, in family/op/check/dtype order."""
    if records.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    df = record_headroom(sort_records(records))
    df["max_rel_err"] = df["max_rel_err"].fillna(np.inf)
    df["max_abs_err"] = df["max_abs_err"].fillna(np.inf)
    df["_row"] = np.arange(len(df))
    shrink = df["phase"].isin(SHRINK_PHASES)
    df["_case"] = ~shrink
    df["_case_failed"] = ~shrink & ~df["passed"]
    df["_case_error"] = ~shrink & (df["status"] == "error")
    g = df.groupby(KEYS, sort=False)
    out = g.agg(family=("family", "first"), n_cases=("_case", "sum"), n_failed=("_case_failed", "sum"),
                n_errors=("_case_error", "sum"), n_elements=("n_elements", "sum"),
                max_abs_err=("max_abs_err", "max"), max_rel_err=("max_rel_err", "max"), max_ulp=("max_ulp", "max"),
                rtol=("rtol", "max"), atol=("atol", "max"), passed=("passed", "all"), headroom=("headroom", "min"),
                truth_rel_err=("truth_rel_err", "max"), torch_truth_rel_err=("torch_truth_rel_err", "max"))
    out["n_shrink"] = g["op"].size() - out["n_cases"]
    # median and p99 over the cases; a group whose Records all come from shrinking takes them all
    stats = df[df["_case"] | ~df.groupby(KEYS, sort=False)["_case"].transform("any")]
    out["median_rel_err"] = stats.groupby(KEYS, sort=False)["max_rel_err"].median()
    # nearest-rank p99: the ceil(0.99 n)-th smallest max_rel_err of the group
    ranked = stats.sort_values([*KEYS, "max_rel_err"], kind="mergesort")
    ranked["_rank"] = ranked.groupby(KEYS, sort=False).cumcount()
    n = ranked.groupby(KEYS, sort=False)["op"].transform("size")
    target = np.ceil(0.99 * n.to_numpy()).astype(int) - 1
    p99 = ranked[ranked["_rank"].to_numpy() == target].set_index(KEYS)["max_rel_err"]
    out["p99_rel_err"] = p99
    # the worst case: least headroom, then a crash, then larger errors, then first in record order
    worst = df.assign(_ok=df["status"] != "error").sort_values(
        [*KEYS, "headroom", "_ok", "max_rel_err", "max_abs_err", "_row"],
        ascending=[True, True, True, True, True, False, False, True], kind="mergesort")
    worst = worst.drop_duplicates(KEYS).set_index(KEYS)
    out["headroom_basis"] = worst["headroom_basis"]
    # worst_test: the pytest node id that ran the worst case (re-running it replays the case)
    for c in ("shapes", "params", "seed", "example", "note", "test"):
        out[f"worst_{c}"] = worst[c]
    out = out.reset_index()
    for c in ("n_cases", "n_failed", "n_errors", "n_shrink"):
        out[c] = out[c].astype("int64")
    out["accuracy"] = accuracy(out["truth_rel_err"].to_numpy(float), out["torch_truth_rel_err"].to_numpy(float))
    return _order(out[SUMMARY_COLUMNS])


def accuracy(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """"more", "same", "less" (refgrad's float32 error against the truth vs torch's; module docstring), or ""."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.maximum(ours, ROUNDED) / np.maximum(theirs, ROUNDED)
    out = np.full(len(ratio), "", dtype=object)
    known = ~np.isnan(ours) & ~np.isnan(theirs)
    out[known] = "same"
    out[known & (ratio > SAME_FACTOR)] = "less"
    out[known & (ratio < 1 / SAME_FACTOR)] = "more"
    # neither within TRUTH_MAX of the truth: a truth near 0, both results judged by atol (e.g. GroupNorm's forward
    # at 1.0 against torch's 1.5e10): their relative errors say nothing about accuracy
    out[known & (np.minimum(ours, theirs) > TRUTH_MAX)] = ""
    return out


def float32_accuracy(summary: pd.DataFrame) -> pd.DataFrame:
    """The float32 comparison: the summary rows with a truth (op, family, check, both errors, accuracy, passed),
    least accurate first (by refgrad's error relative to torch's), then by op."""
    cols = ["op", "family", "check", "truth_rel_err", "torch_truth_rel_err", "accuracy", "passed"]
    rows = summary[(summary["dtype"] == "float32") & (summary["accuracy"] != "")]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    ratio = np.maximum(rows["truth_rel_err"], ROUNDED) / np.maximum(rows["torch_truth_rel_err"], ROUNDED)
    return rows.assign(_r=ratio).sort_values(["_r", "op", "check"], ascending=[False, True, True],
                                             kind="mergesort")[cols].reset_index(drop=True)


def _order(frame: pd.DataFrame) -> pd.DataFrame:
    keyed = frame.assign(_c=frame["check"].map(_check_rank))
    return keyed.sort_values(["family", "op", "_c", "check", "dtype"], kind="mergesort").drop(
        columns="_c").reset_index(drop=True)


def rel_err_histograms(records: pd.DataFrame) -> dict[tuple[str, str, str], list[int]]:
    """(op, check, dtype) -> counts of Records per bin: [exact 0, 1e-17.., ..., 1e0.. (and inf, NaN)]."""
    if records.empty:
        return {}
    rel = records["max_rel_err"].to_numpy(float)
    rel = np.where(np.isnan(rel), np.inf, rel)
    with np.errstate(divide="ignore"):
        decade = np.floor(np.log10(np.where(rel > 0, rel, 1.0)))
    bins = np.where(rel > 0, np.clip(decade, HIST_LO, HIST_HI) - HIST_LO + 1, 0).astype(int)
    keyed = records[KEYS].assign(_bin=bins)
    counts = keyed.groupby([*KEYS, "_bin"], sort=False).size()
    hist: dict = {}
    for (op, check, dtype, b), c in counts.items():
        hist.setdefault((op, check, dtype), [0] * N_BINS)[b] = int(c)
    return hist


def overview(summary: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One row per value of ``by`` (e.g. ["family"] or ["check", "dtype"]): ops, summary rows, cases, failed
    rows, least and median headroom, and how many rows fall in each headroom band."""
    cols = [*by, "n_ops", "n_rows", "n_cases", "n_failed_rows", "min_headroom", "median_headroom", *BANDS]
    if summary.empty:
        return pd.DataFrame(columns=cols)
    s = summary.assign(band=summary["headroom"].map(band), failed=~summary["passed"].astype(bool))
    if "check" in by:
        s = s.assign(_c=s["check"].map(_check_rank))
        by_sorted = ["_c", *by]
    else:
        by_sorted = by
    g = s.groupby(by_sorted, sort=True)
    out = g.agg(n_ops=("op", "nunique"), n_rows=("op", "size"), n_cases=("n_cases", "sum"),
                n_failed_rows=("failed", "sum"), min_headroom=("headroom", "min"),
                median_headroom=("headroom", "median"))
    bands = s.groupby([*by_sorted, "band"]).size().unstack(fill_value=0).reindex(columns=BANDS, fill_value=0)
    return out.join(bands).reset_index()[cols]


BANDS = ["failed", "tight", "low", "ok", "good", "exact"]
BAND_LABELS = {"failed": "< 1 (failed)", "tight": "1 – 3", "low": "3 – 10", "ok": "10 – 100", "good": "≥ 100",
               "exact": "exact (bitwise equal)"}


def band(headroom: float) -> str:
    if headroom is None or (isinstance(headroom, float) and math.isnan(headroom)) or headroom < 1:
        return "failed"
    if math.isinf(headroom):
        return "exact"
    if headroom < 3:
        return "tight"
    if headroom < 10:
        return "low"
    if headroom < 100:
        return "ok"
    return "good"


# ---- diff ----------------------------------------------------------------------------------------------
EPS = {"float16": 2.0**-10, "bfloat16": 2.0**-7, "float32": 2.0**-23, "float64": 2.0**-52}


def diff(old: pd.DataFrame, new: pd.DataFrame, factor: float = 10.0) -> pd.DataFrame:
    """Rows of two summaries, joined on (op, check, dtype), that changed status or whose ``max_rel_err`` grew
    (or shrank) by more than ``factor``. Errors below one unit roundoff of the dtype count as that unit, so
    noise at the last bit does not register as a 10x change. ``kind`` is one of: regressed (passed -> failed),
    fixed (failed -> passed), worse / better (error ratio beyond ``factor``), vanished (in OLD only: a check that
    no longer runs, or no longer leaves Records), added (in NEW only). ``regression`` marks the rows that got worse
    (regressed, worse); ``refgrad-report diff`` exits non-zero for them, and for vanished rows unless told they may
    vanish."""
    cols = [*KEYS, "passed", "max_rel_err", "headroom", "n_cases"]
    m = old[cols].merge(new[cols], on=KEYS, how="outer", suffixes=("_old", "_new"), indicator=True)
    eps = m["dtype"].map(lambda d: EPS.get(d, 2.0**-52)).to_numpy(float)
    ro = np.maximum(m["max_rel_err_old"].to_numpy(float), eps)
    rn = np.maximum(m["max_rel_err_new"].to_numpy(float), eps)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(np.isinf(ro) & np.isinf(rn), 1.0, rn / ro)
    m["growth"] = ratio
    both = (m["_merge"] == "both").to_numpy()
    po = m["passed_old"].astype("boolean").fillna(False).to_numpy(bool)
    pn = m["passed_new"].astype("boolean").fillna(False).to_numpy(bool)
    kind = np.full(len(m), "", dtype=object)
    kind[both & (ratio < 1 / factor)] = "better"
    kind[both & (ratio > factor)] = "worse"
    kind[both & ~po & pn] = "fixed"
    kind[both & po & ~pn] = "regressed"
    kind[(m["_merge"] == "left_only").to_numpy()] = "vanished"
    kind[(m["_merge"] == "right_only").to_numpy()] = "added"
    m["kind"] = kind
    m["regression"] = np.isin(kind, ["regressed", "worse"])
    rank = {"regressed": 0, "vanished": 1, "worse": 2, "fixed": 3, "better": 4, "added": 5}
    m = m[m["kind"] != ""].assign(_k=lambda f: f["kind"].map(rank))
    m = m.sort_values(["_k", "op", "check", "dtype"], kind="mergesort")
    return m.drop(columns=["_merge", "_k"]).reset_index(drop=True)


def read_summary(path: str) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={c: str for c in ("op", "family", "check", "dtype", "headroom_basis",
                                                      "worst_shapes", "worst_params", "worst_seed",
                                                      "worst_example", "worst_note", "worst_test", "accuracy")},
                        keep_default_na=False, na_values={c: ["nan", "NaN"] for c in FLOAT_FIELDS})
    missing = [c for c in ("op", "check", "dtype", "passed", "max_rel_err", "headroom") if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: not a summary file (missing columns {missing})")
    frame["passed"] = frame["passed"].map(_to_bool).astype(bool)
    for c in ("max_abs_err", "max_rel_err", "headroom", "truth_rel_err", "torch_truth_rel_err"):
        if c in frame.columns:
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
    return frame
