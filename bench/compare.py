"""Before and after a change, on the same machine at the same time: the main pages of an earlier commit and of this
working tree, timed in turns.

    .venv/bin/python bench/compare.py COMMIT [PATH …]      (or: make bench-compare BEFORE=COMMIT)

`make bench` runs one version at a time; on a shared machine the load moves between two such runs by more than most
changes save. Here two processes, one per version, each with its own scratch SQLite demo, take turns: a batch of 10
requests of a page in one, then in the other (the order swaps every round), BENCH_ROUNDS rounds (15). Printed per
page: the median over the rounds of each batch's median CPU time of a request (this process's CPU only, so the load
of others counts less), the ratio after/before, and the SQL statements of one request in each. The earlier commit
is unpacked with `git archive` into a scratch folder and its translations compiled; both use this .venv.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
BATCH = 10


def serve(tree: Path) -> None:
    """One version's side (run as `compare.py --serve TREE`): answers 'PATH' with the batch's median CPU ms and the
    statements of one request, after printing the pages it knows."""
    sys.path[:0] = [str(tree), str(tree / "bench")]
    import throughput  # that version's bench: its pages, its demo, its sign-in
    from sqlalchemy import event

    from portal import db

    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/bench.sqlite3"
        throughput._prepare(url)
        clients, extra = throughput._in_process_clients(url)
        who = dict([*throughput.PAGES, *extra.items()])
        statements = [0]
        engine = db.get_engine(clients[""].application)
        event.listen(engine, "before_cursor_execute", lambda *_args: statements.__setitem__(0, statements[0] + 1))
        print("pages", *who, flush=True)
        for line in sys.stdin:
            path = line.strip()
            client = clients[who.get(path) or ""]
            client.get(path)  # a first request that is not counted (the page's own caches)
            spent = []
            for _ in range(BATCH):
                statements[0] = 0
                began = time.process_time()
                response = client.get(path)
                spent.append((time.process_time() - began) * 1000)
                if response.status_code != 200:
                    sys.exit(f"{path} answered {response.status_code} in {tree}")
            print(statistics.median(spent), statements[0], flush=True)


def _unpack(commit: str, into: Path) -> None:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    subprocess.run([str(BIN / "pybabel"), "compile", "-d", str(into / "translations")], check=True, capture_output=True)


def _start(tree: Path) -> tuple[subprocess.Popen[str], list[str]]:
    process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--serve", str(tree)], cwd=tree,
                               env={**os.environ, "PYTHONPATH": str(tree)}, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("pages"):
            return process, line.split()[1:]
    sys.exit(f"the bench of {tree} did not start (run bench/throughput.py --in-process there to see why)")


def _ask(process: subprocess.Popen[str], path: str) -> tuple[float, int]:
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(path + "\n")
    process.stdin.flush()
    answer = process.stdout.readline().split()
    if not answer:
        sys.exit(f"{path}: one of the two versions stopped answering")
    return float(answer[0]), int(answer[1])


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        serve(Path(sys.argv[2]))
        return
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    commit, wanted = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory() as scratch:
        before_tree = Path(scratch)
        _unpack(commit, before_tree)
        (before, before_pages), (after, after_pages) = _start(before_tree), _start(ROOT)
        pages = [path for path in after_pages if path in before_pages and (not wanted or path in wanted)]
        if not pages:
            sys.exit("no page to compare (both versions must know it)")
        times: dict[str, tuple[list[float], list[float]]] = {path: ([], []) for path in pages}
        counts: dict[str, list[int]] = {path: [0, 0] for path in pages}
        for round_ in range(ROUNDS):
            for path in pages:
                pair = [(before, 0), (after, 1)]
                for process, side in pair if round_ % 2 == 0 else pair[::-1]:
                    spent, statements = _ask(process, path)
                    times[path][side].append(spent)
                    counts[path][side] = statements
        for process in (before, after):
            process.terminate()
    print(f"{commit} (before) and this working tree (after): CPU ms per request, median of {ROUNDS} rounds of "
          f"{BATCH}, taking turns; SQLite demo")
    print(f"{'page':<24}{'before':>8}{'after':>8}{'after/before':>14}{'SQL before':>12}{'SQL after':>11}")
    for path in pages:
        old, new = statistics.median(times[path][0]), statistics.median(times[path][1])
        print(f"{path:<24}{old:>8.2f}{new:>8.2f}{new / old:>14.2f}{counts[path][0]:>12}{counts[path][1]:>11}")


if __name__ == "__main__":
    main()
