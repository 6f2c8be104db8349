"""The worker's word-index step (minsheng/tickets/words.py) alone, in a loop until SIGTERM:
what a running installation's worker does for the search beside a load benchmark
(bench_open311.py starts it next to gunicorn, as the worker runs next to the web server).

Usage: .venv/bin/python bench/word_worker.py --database-url URL

Batches of 500 pending tickets, a 1 s pause when none is pending; at exit it prints how many
tickets it indexed.
"""

from __future__ import annotations

import argparse
import signal
import threading

import benchdb


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    benchdb.setup(args.database_url)
    from minsheng.tickets.words import index_until_done

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    indexed = 0
    while not stop.is_set():
        done = index_until_done(limit=500, stop=stop)
        indexed += done
        if not done:
            stop.wait(1.0)
    print(f"word worker: indexed {indexed:,} tickets", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
