"""Lighthouse 12 on the first loads of the demo: scores, paint times, requests and bytes, median of 3 runs per page.

Run with `make lighthouse`, or `.venv/bin/python scripts/lighthouse.py [PATH …]` (default: /login, /plan/,
/plan/timeline, /plan/messages). Mobile, Lighthouse's default: simulated slow 4G (150 ms, 1.6 Mbit/s) and a 4×
slower CPU. Lighthouse 12 comes from the npm registry into `.lighthouse/` the first time (Node 18 or later); Chromium
is Debian's (CHROME_PATH, default /usr/bin/chromium; `make chromium` installs it). The demo is a scratch SQLite
database served by gunicorn on 127.0.0.1, as `make bench` does; the `/plan` pages are loaded with the demo patient's
session cookie, signed in through the real forms. Each value printed is the median of LIGHTHOUSE_RUNS runs (3); the
reports of every run are kept in .lighthouse/reports/ (open the .html ones in a browser).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.throughput import PATIENT, _cookie, _gunicorn, _prepare  # noqa: E402

FOLDER = ROOT / ".lighthouse"
LIGHTHOUSE = FOLDER / "node_modules" / ".bin" / "lighthouse"
REPORTS = FOLDER / "reports"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
RUNS = int(os.environ.get("LIGHTHOUSE_RUNS", "3"))
PAGES = ["/login", "/plan/", "/plan/timeline", "/plan/messages"]
CATEGORIES = ("performance", "accessibility", "best-practices")
# (column, audit, scale, format): times in seconds, layout shift as it is
METRICS = [("LCP s", "largest-contentful-paint", 1000, ".2f"), ("FCP s", "first-contentful-paint", 1000, ".2f"),
           ("TBT ms", "total-blocking-time", 1, ".0f"), ("CLS", "cumulative-layout-shift", 1, ".3f")]


def _install() -> None:
    """Lighthouse 12 into .lighthouse/ (git ignores it), once."""
    if LIGHTHOUSE.exists():
        return
    if shutil.which("npm") is None:
        sys.exit("scripts/lighthouse.py needs Node 18 or later with npm: sudo apt-get install nodejs npm")
    print("Installing Lighthouse 12 into .lighthouse/ …", flush=True)
    npm = ["npm", "install", "--prefix", str(FOLDER), "--no-audit", "--no-fund", "--silent", "lighthouse@12"]
    subprocess.run(npm, check=True)  # noqa: S603, S607


def _run(url: str, cookie: str | None, report: Path) -> dict:
    """One Lighthouse run of `url`: its JSON report (an HTML one beside it)."""
    command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", "--output=html", f"--output-path={report}",
               f"--only-categories={','.join(CATEGORIES)}", "--chrome-flags=--headless=new --no-sandbox"]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROME}, check=True)  # noqa: S603
    return json.loads(report.with_suffix(".report.json").read_text(encoding="utf-8"))


def _row(reports: list[dict]) -> list[float]:
    """Per column, the median over the runs: scores, metrics, requests and bytes on the wire."""
    values = [[r["categories"][c]["score"] * 100 for c in CATEGORIES]
              + [r["audits"][audit]["numericValue"] / scale for _, audit, scale, _ in METRICS]
              + [len(r["audits"]["network-requests"]["details"]["items"]),
                 r["audits"]["total-byte-weight"]["numericValue"]] for r in reports]
    return [statistics.median(column) for column in zip(*values, strict=True)]


def _failing(reports: list[dict]) -> set[str]:
    """The audits (other than the timings above) that cost points in any run: where to look below 100."""
    return {ref["id"] for r in reports for c in CATEGORIES for ref in r["categories"][c]["auditRefs"]
            if ref["weight"] > 0 and ref.get("group") != "metrics" and (r["audits"][ref["id"]]["score"] or 0) < 1
            and r["audits"][ref["id"]]["scoreDisplayMode"] in ("binary", "numeric")}


def main() -> None:
    pages = sys.argv[1:] or PAGES
    if not Path(CHROME).exists():
        sys.exit(f"No Chromium at {CHROME}: `make chromium` installs Debian's (or set CHROME_PATH)")
    _install()
    REPORTS.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/lighthouse.sqlite3"
        _prepare(url)
        with _gunicorn("wsgi:app", url) as base:
            cookie = _cookie(base, PATIENT)
            for path in pages:
                name = path.strip("/").replace("/", "-") or "root"
                reports = [_run(base + path, None if path == "/login" else cookie, REPORTS / f"{name}-{n + 1}")
                           for n in range(RUNS)]
                rows.append((path, _row(reports), _failing(reports)))
    print(f"Lighthouse 12 mobile (simulated slow 4G, 4x CPU), Chromium, gunicorn + SQLite demo, median of {RUNS} runs")
    print(f"{'page':<16}{'perf':>5}{'a11y':>5}{'bp':>5}" + "".join(f"{m[0]:>8}" for m in METRICS)
          + f"{'requests':>9}{'bytes':>8}")
    for path, row, _ in rows:
        scores, metrics, (requests, size) = row[:3], row[3:7], row[7:]
        timings = "".join(f"{v:>8{m[3]}}" for v, m in zip(metrics, METRICS, strict=True))
        print(f"{path:<16}" + "".join(f"{s:>5.0f}" for s in scores) + timings + f"{requests:>9.0f}{size:>8.0f}")
    for path, _, failing in rows:
        if failing:
            print(f"{path}: audits below 100: {', '.join(sorted(failing))}")


if __name__ == "__main__":
    main()
