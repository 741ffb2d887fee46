#!/usr/bin/env python3
"""The 2018 post's Python experiments, rerun on this machine with its python3.

    python3 scripts/python-rerun.py [--quick]

Prints the table the page quotes (50 x fib(30) and 50 pages x 0.5 s, each synchronous,
with asyncio, on 6 threads and on 2 processes), then the start-up figures of the start-up
experiment (seed 003). The pages come from a server on 127.0.0.1 started here, which waits
0.5 s before each answer: no network is used. Only the standard library is needed.
--quick shrinks everything (to check the script, not to quote). About 80 s in full.
"""

import asyncio
import sys
import threading
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import Pool, Process

QUICK = "--quick" in sys.argv[1:]
FIB_N, FIB_TASKS = (20, 10) if QUICK else (30, 50)
PAGES, LATENCY = (10, 0.05) if QUICK else (50, 0.5)
THREADS, PROCESSES = 6, 2
COUNT = 1_000_000 if QUICK else 10_000_000


# code-panel: work
def fib(n):
    """The post's deliberately slow fib: fib(0) = fib(1) = 1."""
    return 1 if n < 2 else fib(n - 1) + fib(n - 2)


def get(url):
    """One page, fetched by a call that blocks until the whole answer is in."""
    with urllib.request.urlopen(url) as r:
        return len(r.read())
# code-panel-end


class SlowPage(BaseHTTPRequestHandler):
    """Answers every GET after LATENCY seconds, as a distant server would."""

    def do_GET(self):
        time.sleep(LATENCY)
        body = b"<html><body>a page</body></html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024


# code-panel: sync
def in_turn(f, items):
    """Synchronous: each call starts when the last has returned."""
    return [f(x) for x in items]
# code-panel-end


# code-panel: coroutines
async def fib_async(n):
    """A coroutine that never awaits: it holds the one thread until fib returns."""
    return fib(n)


async def get_async(host, port):
    """A coroutine per page: while it awaits the server, the event loop runs the others."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET / HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    await writer.wait_closed()
    return len(data)


def as_coroutines(coroutine, args):
    """Coroutines: one per task, all on this thread, started together and gathered."""

    async def gather():
        return await asyncio.gather(*(coroutine(*a) for a in args))

    return asyncio.run(gather())
# code-panel-end


# code-panel: pools
def on_pool(pool, f, items):
    """Threads or processes: the pool hands the items out to its workers, results in order."""
    return list(pool.map(f, items))
# code-panel-end


def timed(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def fib_row():
    tasks = [FIB_N] * FIB_TASKS
    # code-panel: fib-pools
    with ThreadPoolExecutor(THREADS) as threads, ProcessPoolExecutor(PROCESSES) as processes:
        # Start the processes before timing, as the post's pool did.
        list(processes.map(fib, [1] * PROCESSES))
        # code-panel-end
        return [
            timed(lambda: in_turn(fib, tasks)),
            timed(lambda: as_coroutines(fib_async, [(n,) for n in tasks])),
            timed(lambda: on_pool(threads, fib, tasks)),
            timed(lambda: on_pool(processes, fib, tasks)),
        ]


def fetch_row(url, host, port):
    urls = [url] * PAGES
    with ThreadPoolExecutor(THREADS) as threads, ProcessPoolExecutor(PROCESSES) as processes:
        list(processes.map(len, ["warm"] * PROCESSES))
        return [
            timed(lambda: in_turn(get, urls)),
            timed(lambda: as_coroutines(get_async, [(host, port)] * PAGES)),
            timed(lambda: on_pool(threads, get, urls)),
            timed(lambda: on_pool(processes, get, urls)),
        ]


def count(n):
    i = 0
    while i < n:
        i += 1
    return i


def startup_rows():
    def start_join(make):
        workers = [make() for _ in range(10)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    threads = timed(lambda: start_join(lambda: threading.Thread(target=int)))
    processes = timed(lambda: start_join(lambda: Process(target=int)))

    def pool():
        with Pool(10) as p:
            p.map(int, range(10))

    pool_ms = timed(pool)
    one = timed(lambda: count(COUNT))

    def split():
        with Pool(10) as p:
            p.map(count, [COUNT // 10] * 10)

    ten = timed(split)
    return threads, processes, pool_ms, one, ten


def seconds(s):
    return f"{s:.2f} s" if s < 10 else f"{s:.1f} s"


def main():
    server = Server(("127.0.0.1", 0), SlowPage)
    host, port = server.server_address
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://{host}:{port}/"
    import os

    print(f"## The post's experiments in CPython {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    print(f"| experiment | sync | asyncio | threads ({THREADS}) | processes ({PROCESSES}) |")
    print("|---|---:|---:|---:|---:|")
    row = fib_row()
    print(f"| {FIB_TASKS} × fib({FIB_N}) | " + " | ".join(seconds(s) for s in row) + " |")
    row = fetch_row(url, host, port)
    print(f"| {PAGES} pages × {LATENCY} s, local server | " + " | ".join(seconds(s) for s in row) + " |")
    waves = -(-PAGES // THREADS)
    print(f"\nExpected for the pages on {THREADS} threads: ⌈{PAGES}/{THREADS}⌉ × {LATENCY} s = {waves * LATENCY:.2f} s.")
    threads, processes, pool, one, ten = startup_rows()
    print("\n## Start-up (seed 003)\n")
    print(f"- 10 threads started and joined: {threads * 1000:.1f} ms")
    print(f"- 10 processes started and joined: {processes * 1000:.1f} ms")
    print(f"- a pool of 10 processes, started, used once, closed: {pool * 1000:.1f} ms")
    print(f"- count to {COUNT:,} in one loop: {one * 1000:.0f} ms; the same over a fresh pool of 10: {ten * 1000:.0f} ms")
    server.shutdown()


if __name__ == "__main__":
    main()
