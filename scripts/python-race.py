#!/usr/bin/env python3
"""The essay's race in Python: does the GIL make `x += 1` atomic?

    python3 scripts/python-race.py [--runs N]

Shows the bytecode of `x += 1` on a global (a load, an add, a store), then has two threads
each add one to a shared global a million times, three runs of each of two ways:
`x += 1`, and `x = add(x, 1)`, whose call sits between the load and the store. Prints
what each run counted and lost. Only the standard library is needed; a few seconds.
"""

import dis
import sys
import threading

N = 1_000_000
RUNS = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
x = 0


def increment():
    global x
    x += 1


def add(a, b):
    return a + b


def plain(n):
    global x
    for _ in range(n):
        x += 1


def through_a_call(n):
    global x
    for _ in range(n):
        x = add(x, 1)


def race(body):
    """Two threads run `body(N)` at once; returns the final count."""
    global x
    x = 0
    threads = [threading.Thread(target=body, args=(N,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return x


print(f"Python {sys.version.split()[0]}: the bytecode of `x += 1` on a global")
dis.dis(increment)
for name, body in [("x += 1", plain), ("x = add(x, 1)", through_a_call)]:
    for run in range(1, RUNS + 1):
        count = race(body)
        print(f"{name:14} run {run}: {count:,} of {2 * N:,}, {2 * N - count:,} lost")
