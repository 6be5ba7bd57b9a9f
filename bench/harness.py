"""The bench runner (called by bench/run.sh; see bench/README.md for the contract).

harness.py measure --module bench_x --size N --db cc_db --odoo plain_db --oca oca_db --repeat R --out f.json
    runs bench_x.measure() once to warm up, then R times, each time in a transaction rolled back
    to the same state, in this process only (its peak memory is that benchmark's)
harness.py report --machine ... results/*.json
    one table (medians, min-max, ratios, growth between sizes) on stdout and in bench/RESULTS.md
"""

import argparse
import contextlib
import datetime
import importlib
import inspect
import json
import os
import platform
import resource
import statistics
import sys
import time
import traceback

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)

from odoo_env import odoo_env  # noqa: E402


class BenchContext:
    """What a benchmark gets beside its env: the size, and envs on the plain Odoo and OCA copies."""

    def __init__(self, size, dbs, stack):
        self.size = size
        self.dbs = dbs  # {"odoo": db or None, "oca": db or None}
        self._stack = stack
        self._envs = {}

    def env(self, variant):
        """A superuser env on the 'odoo' (plain) or 'oca' copy, or None when that copy is absent.
        Everything done in it is rolled back when the benchmark ends."""
        if not self.dbs.get(variant):
            return None
        if variant not in self._envs:
            self._envs[variant] = self._stack.enter_context(odoo_env(self.dbs[variant], commit=False))
        return self._envs[variant]


@contextlib.contextmanager
def rolled_back(envs):
    """Run a repetition and put every database back as it was."""
    for env in envs:
        env.flush_all()
        env.cr.execute("SAVEPOINT bench_repeat")
    try:
        yield
    finally:
        for env in envs:
            env.invalidate_all()
            env.cr.execute("ROLLBACK TO SAVEPOINT bench_repeat")
            # ormcaches stay warm, as on a running server (a benchmark that writes cached data,
            # e.g. ir.default, clears them itself)


def cmd_measure(args):
    module = importlib.import_module(args.module)
    samples, error = [], None
    started = time.time()
    with contextlib.ExitStack() as stack:
        env = stack.enter_context(odoo_env(args.db, commit=False))
        ctx = BenchContext(args.size, {"odoo": args.odoo, "oca": args.oca}, stack)
        wants_ctx = len(inspect.signature(module.measure).parameters) >= 2
        try:
            for i in range(args.repeat + 1):  # the first run warms caches up and is not counted
                envs = [env] + [e for e in (ctx.env("odoo"), ctx.env("oca")) if e is not None]
                with rolled_back(envs):
                    rows = module.measure(env, ctx) if wants_ctx else module.measure(env)
                if i:
                    samples.append(rows)
        except Exception:
            error = traceback.format_exc()
            print(error, file=sys.stderr)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "module": args.module,
        "size": args.size,
        "repeat": len(samples),
        "seconds": round(time.time() - started, 1),
        "peak_mb": round(peak_mb, 1),
        "error": error,
        "metrics": aggregate(samples),
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    sys.exit(1 if error else 0)


def aggregate(samples):
    """[[{metric, value, unit, odoo?, oca?}]] per repetition -> one dict per metric with stats."""
    order, by_metric = [], {}
    for rows in samples:
        for row in rows:
            key = row["metric"]
            if key not in by_metric:
                order.append(key)
                by_metric[key] = {"metric": key, "unit": row.get("unit", ""), "value": [], "odoo": [], "oca": []}
            for variant in ("value", "odoo", "oca"):
                if row.get(variant) is not None:
                    by_metric[key][variant].append(float(row[variant]))
    out = []
    for key in order:
        m = by_metric[key]
        for variant in ("value", "odoo", "oca"):
            vals = m[variant]
            m[variant] = (
                {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}
                if vals
                else None
            )
        out.append(m)
    return out


# ----------------------------------------------------------------------------------------------
def fmt(stat, unit):
    if not stat:
        return "–"
    med, lo, hi = stat["median"], stat["min"], stat["max"]
    digits = 0 if unit in ("queries", "rows", "MB") or abs(med) >= 100 else 1 if abs(med) >= 10 else 2
    text = f"{med:.{digits}f}"
    if hi - lo > 10 ** (-digits) / 2:
        text += f" ({lo:.{digits}f}–{hi:.{digits}f})"
    return text


def ratio(a, b):
    if not a or not b or not b["median"]:
        return "–"
    return f"{a['median'] / b['median']:.2f}×"


def cmd_report(args):
    results = []
    for path in args.results:
        with open(path) as f:
            results.append(json.load(f))
    sizes = sorted({r["size"] for r in results})
    lines = [
        "# Benchmark results",
        "",
        f"- date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {args.machine}",
        f"- sizes (regular customer invoices in the template): {', '.join(f'{s:,}' for s in sizes)}",
        "- values: median of the repetitions (min–max); ratio = this addon / baseline, taken in the same run",
        "- plain Odoo = the template copy without credit_collection; OCA = the copy with the OCA peers installed",
        "",
        "| size | benchmark | metric | unit | this addon | plain Odoo | OCA peer | × plain | × OCA |",
        "|---:|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(results, key=lambda r: (r["module"], r["size"])):
        name = r["module"].removeprefix("bench_")
        for m in r["metrics"]:
            lines.append(
                f"| {r['size']:,} | {name} | {m['metric']} | {m['unit']} | {fmt(m['value'], m['unit'])} | "
                f"{fmt(m['odoo'], m['unit'])} | {fmt(m['oca'], m['unit'])} | {ratio(m['value'], m['odoo'])} | "
                f"{ratio(m['value'], m['oca'])} |"
            )
        lines.append(
            f"| {r['size']:,} | {name} | peak memory of the benchmark process | MB | {r['peak_mb']:.0f} | | | | |"
        )
        if r["error"]:
            lines.append(f"| {r['size']:,} | {name} | **FAILED** (see the run's log) | | | | | | |")
    if len(sizes) > 1:
        lines += [
            "",
            f"## Growth with size (this addon's median at each size ÷ at {sizes[0]:,})",
            "",
            "| benchmark | metric | " + " | ".join(f"{s:,}" for s in sizes) + " |",
            "|---|---|" + "---:|" * len(sizes),
        ]
        modules = sorted({r["module"] for r in results})
        for module in modules:
            per_size = {r["size"]: {m["metric"]: m for m in r["metrics"]} for r in results if r["module"] == module}
            base = per_size.get(sizes[0], {})
            for metric, m0 in base.items():
                cells = []
                for s in sizes:
                    m = per_size.get(s, {}).get(metric)
                    cells.append(ratio(m and m["value"], m0["value"]) if m else "–")
                lines.append(f"| {module.removeprefix('bench_')} | {metric} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Runs: "
        + "; ".join(f"{r['module']} at {r['size']:,}: {r['repeat']} repetitions, {r['seconds']}s" for r in results),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(BENCH_DIR, "RESULTS.md"), "w") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("measure")
    m.add_argument("--module", required=True)
    m.add_argument("--size", type=int, required=True)
    m.add_argument("--db", required=True)
    m.add_argument("--odoo")
    m.add_argument("--oca")
    m.add_argument("--repeat", type=int, default=5)
    m.add_argument("--out", required=True)
    r = sub.add_parser("report")
    r.add_argument("--machine", default=platform.platform())
    r.add_argument("results", nargs="+")
    args = parser.parse_args()
    cmd_measure(args) if args.cmd == "measure" else cmd_report(args)


if __name__ == "__main__":
    main()
