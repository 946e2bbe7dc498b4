"""`make bench` end to end at a tiny size: seeds, serves the app and the baseline, runs every page, writes the table."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import fresh_database, skip_or_fail

PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_http_benchmark_runs_every_page_and_reports_it(backend, tmp_path):
    """On SQLite the runner seeds the empty database; on PostgreSQL it reuses one seeded before."""
    if not shutil.which("wrk"):
        skip_or_fail("wrk is not installed (apt-get install -y wrk)")
    out = tmp_path / "results.md"
    env = {**os.environ, "IDEAPORTAL_ARGON2_TIME_COST": "1", "IDEAPORTAL_ARGON2_MEMORY_COST": "8",
           "IDEAPORTAL_ARGON2_PARALLELISM": "1"}
    with fresh_database(backend, tmp_path) as url:
        if backend == "postgresql":
            flask = [sys.executable, "-m", "flask", "--app", "ideaportal"]
            for command in (["db", "upgrade"], ["bench", "seed", "--ideas", "60", "--users", "50"]):
                subprocess.run([*flask, *command], cwd=PROJECT, env={**env, "DATABASE_URL": url}, check=True,
                               capture_output=True)
        done = subprocess.run(
            [sys.executable, "benchmarks/http/run.py", "--database-url", url, "--size", "60", "--duration", "1s",
             "--connections", "2", "--threads", "1", "--members", "3", "--out", str(out)],
            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    report = out.read_text()
    assert "| page | as | req/s | p50 | p99 | errors | baseline req/s | ratio |" in report
    rows = [line for line in report.splitlines() if line.startswith("| ") and not line.startswith("| page")]
    assert len(rows) == 21
    for name in ("home `/`", "`/ideas` discussed", "deep cursor page", "search, common word", "triage inbox",
                 "`/roadmap`", "feed `/feeds/ideas.atom`", "vote POSTs"):
        assert any(row.startswith(f"| {name}") for row in rows), name
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert float(cells[2].replace(",", "")) > 0 and cells[5] == "0", row  # served, and no errors
    assert "`score == SUM(vote.value)` holds (checked for all 60 ideas)" in report
    assert re.search(r"- Machine: \d+ cores", report) and "rate limits off" in report
    stopped = re.search(r"Stopped gunicorn (\d+) and (\d+)\.", done.stdout)
    for pid in stopped.groups():  # the app's and the baseline's servers, with their workers, are gone
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)
