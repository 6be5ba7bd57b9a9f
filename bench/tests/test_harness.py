"""Fast self-checks of the bench runner's arithmetic (no database):
/opt/odoo18/venv/bin/python -m pytest -q -p no:odoo -p no:cacheprovider bench/tests
"""

import json
import os
import subprocess
import sys

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, BENCH)

import harness  # noqa: E402


def test_aggregate_medians_min_max_per_variant():
    samples = [
        [{"metric": "q", "unit": "queries", "value": 3, "odoo": 1, "oca": 9}],
        [{"metric": "q", "unit": "queries", "value": 5, "odoo": 1}],
        [{"metric": "q", "unit": "queries", "value": 4, "odoo": 2, "oca": 7}],
    ]
    (m,) = harness.aggregate(samples)
    assert m["value"] == {"median": 4, "min": 3, "max": 5, "n": 3}
    assert m["odoo"]["median"] == 1 and m["odoo"]["max"] == 2
    assert m["oca"] == {"median": 8, "min": 7, "max": 9, "n": 2}


def test_report_ratios_and_growth(tmp_path, monkeypatch):
    monkeypatch.setattr(harness, "BENCH_DIR", str(tmp_path))
    paths = []
    for size, value in ((10, 2.0), (100, 4.0)):
        metrics = harness.aggregate([[{"metric": "t", "unit": "ms", "value": value, "odoo": 1.0, "oca": 8.0}]])
        result = {"module": "bench_x", "size": size, "repeat": 1, "seconds": 1, "peak_mb": 50, "error": None}
        result["metrics"] = metrics
        path = tmp_path / f"{size}.json"
        path.write_text(json.dumps(result))
        paths.append(str(path))

    class Args:
        machine = "test"
        results = paths

    harness.cmd_report(Args)
    text = (tmp_path / "RESULTS.md").read_text()
    assert "| 10 | x | t | ms | 2.00 | 1.00 | 8.00 | 2.00× | 0.25× |" in text
    assert "| x | t | 1.00× | 2.00× |" in text  # growth 10 -> 100


def test_generator_version_ignores_comments_and_layout(tmp_path):
    code = (
        "import ast, hashlib, sys\n"
        "print(hashlib.md5(ast.dump(ast.parse(open(sys.argv[1]).read())).encode()).hexdigest())"
    )
    a, b, c = tmp_path / "a.py", tmp_path / "b.py", tmp_path / "c.py"
    a.write_text("x = 1\n")
    b.write_text("# a comment\nx = (\n    1\n)\n")
    c.write_text("x = 2\n")
    h = [subprocess.check_output([sys.executable, "-c", code, str(p)]) for p in (a, b, c)]
    assert h[0] == h[1] != h[2]
