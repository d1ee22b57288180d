"""refgrad-report (also ``python -m oracle.report``): rebuild a report from records, or compare two runs.

    refgrad-report build RECORDS [RECORDS ...] [-o DIR] [--title TEXT] [--intro TEXT]
        RECORDS: a records.csv, or a report folder (its records.csv; failing that, the per-process
        .records-*.csv.part files an interrupted run left behind). Several inputs (shards of one sweep) are
        merged, and the merged records.csv is written to DIR too. Writes DIR/summary.csv and DIR/index.html,
        titled as run.json says unless --title/--intro say otherwise.
    refgrad-report diff OLD NEW [--factor 10] [--allow-vanished] [--csv]
        OLD, NEW: records.csv, summary.csv or report folders. Lists the (op, check, dtype) rows whose status
        changed or whose max_rel_err grew or shrank more than FACTOR times, the rows that vanished (in OLD only)
        and the rows added (in NEW only). Exit status 1 when something regressed (passed -> failed, or error grew
        > FACTOR) or a row vanished (a check that stopped running, or crashed before leaving a Record, must not
        pass unnoticed; --allow-vanished when NEW is a deliberate subset, e.g. a -k selection).

Exit status 2 on bad input. Progress goes to stderr for large inputs (or with --progress).
"""
from __future__ import annotations

import argparse
import glob
import os
import sys

import pandas as pd

from . import meta as _meta
from .aggregate import diff, read_records, read_summary, summarize


def _records_path(arg: str) -> list[str]:
    """A records.csv or a folder -> the record files to read."""
    if os.path.isdir(arg):
        path = os.path.join(arg, "records.csv")
        if os.path.exists(path):
            return [path]
        parts = sorted(glob.glob(os.path.join(arg, ".records-*.csv.part")))
        if parts:
            return parts
        raise FileNotFoundError(f"{arg}: no records.csv (nor .records-*.csv.part files) in this folder")
    if not os.path.exists(arg):
        raise FileNotFoundError(f"{arg}: no such file")
    return [arg]


def cmd_build(args) -> int:
    from ..records import merge_record_files
    from . import build, build_from_frame

    files = [p for a in args.records for p in _records_path(a)]
    progress = True if args.progress else (False if args.quiet else None)
    text = {k: v for k, v in (("title", args.title), ("intro", args.intro)) if v is not None}
    if len(files) == 1 and files[0].endswith(".csv") and not files[0].endswith(".part"):
        out = args.output or os.path.dirname(os.path.abspath(files[0]))
        summary = build(files[0], out, meta={**_meta.for_rebuild(files[0]), **text}, progress=progress)
    else:
        out = args.output or (args.records[0] if len(args.records) == 1 and os.path.isdir(args.records[0]) else None)
        if out is None:
            print("refgrad-report build: several inputs need -o DIR (the merged records.csv goes there)",
                  file=sys.stderr)
            return 2
        os.makedirs(out, exist_ok=True)
        merged = os.path.join(out, "records.csv")
        if not args.quiet:
            print(f"merging {len(files)} record files into {merged}", file=sys.stderr)
        merge_record_files(files, merged)
        meta = _meta.for_rebuild(files[0])
        if len(args.records) > 1:
            meta["note"] = (meta.get("note", "") + f" Merged from {len(args.records)} inputs; metadata of the "
                            f"first.").strip()
        meta.update(text)
        summary = build_from_frame(read_records(merged, progress=progress), out, meta, progress=bool(progress))
    if not args.quiet:
        failed = int((~summary["passed"].astype(bool)).sum()) if len(summary) else 0
        print(f"{len(summary)} rows ({failed} failing): {os.path.join(out, 'summary.csv')}, "
              f"{os.path.join(out, 'index.html')}", file=sys.stderr)
    return 0


def _summary_of(arg: str, progress) -> pd.DataFrame:
    if os.path.isdir(arg):
        s = os.path.join(arg, "summary.csv")
        arg = s if os.path.exists(s) else _records_path(arg)[0]
    if not os.path.exists(arg):
        raise FileNotFoundError(f"{arg}: no such file")
    with open(arg, encoding="utf-8") as fh:
        header = fh.readline()
    if "n_cases" in header.split(","):
        return read_summary(arg)
    return summarize(read_records(arg, progress=progress))


def _fmt_table(frame: pd.DataFrame) -> str:
    cells = [list(frame.columns)] + [[str(v) for v in row] for row in frame.itertuples(index=False)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt_growth(x) -> str:
    from .render import fmt_err

    if pd.isna(x):
        return ""
    return f"{x:.3g}x" if 1e-3 <= x < 1e3 else f"{fmt_err(x)}x"


def cmd_diff(args) -> int:
    from .render import fmt_err, fmt_headroom

    progress = True if args.progress else (False if args.quiet else None)
    old, new = _summary_of(args.old, progress), _summary_of(args.new, progress)
    d = diff(old, new, factor=args.factor)
    n_reg = int(d["regression"].sum())
    n_vanished, n_added = int((d["kind"] == "vanished").sum()), int((d["kind"] == "added").sum())
    if args.csv:
        d.to_csv(sys.stdout, index=False, lineterminator="\n")
    elif len(d):
        def status(p):
            return "" if pd.isna(p) else ("pass" if p else "FAIL")

        table = pd.DataFrame({
            "kind": d["kind"], "op": d["op"], "check": d["check"], "dtype": d["dtype"],
            "status": [f"{status(a)} -> {status(b)}" for a, b in zip(d["passed_old"], d["passed_new"])],
            "max_rel_err old": [fmt_err(x) if pd.notna(x) else "" for x in d["max_rel_err_old"]],
            "new": [fmt_err(x) if pd.notna(x) else "" for x in d["max_rel_err_new"]],
            "growth": [_fmt_growth(x) for x in d["growth"]],
            "headroom old": [fmt_headroom(x) if pd.notna(x) else "" for x in d["headroom_old"]],
            "new ": [fmt_headroom(x) if pd.notna(x) else "" for x in d["headroom_new"]],
        })
        print(_fmt_table(table))
    allowed = " (allowed)" if args.allow_vanished else ""
    print(f"{len(old)} rows in OLD, {len(new)} in NEW; {n_reg} regressed (status passed -> failed, or max_rel_err "
          f"grew > {args.factor:g}x), {n_vanished} vanished (in OLD only){allowed}, {n_added} added (in NEW only)",
          file=sys.stderr)
    return 1 if n_reg or (n_vanished and not args.allow_vanished) else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="refgrad-report", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="summary.csv and index.html from records.csv")
    b.add_argument("records", nargs="+", help="records.csv file(s) or report folder(s)")
    b.add_argument("-o", "--output", help="output folder (default: the records' folder)")
    b.add_argument("--title", help="the page's title (default: run.json's, which pytest --report-title sets)")
    b.add_argument("--intro", help="a paragraph under the title (default: run.json's, from pytest --report-intro)")
    d = sub.add_parser("diff", help="rows that regressed or vanished between two runs; exit 1 if any")
    d.add_argument("old")
    d.add_argument("new")
    d.add_argument("--factor", type=float, default=10.0, help="error growth that counts (default 10)")
    d.add_argument("--allow-vanished", action="store_true",
                   help="rows in OLD only do not make the exit status 1 (NEW is a deliberate subset)")
    d.add_argument("--csv", action="store_true", help="CSV on stdout instead of a table")
    for p in (b, d):
        p.add_argument("--progress", action="store_true", help="always show progress on stderr")
        p.add_argument("-q", "--quiet", action="store_true", help="no progress or summary lines on stderr")
    args = parser.parse_args(argv)
    try:
        return cmd_build(args) if args.cmd == "build" else cmd_diff(args)
    except (FileNotFoundError, ValueError) as e:
        print(f"refgrad-report {args.cmd}: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `refgrad-report diff A B | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
