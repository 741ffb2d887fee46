"""Tests of tools/pytrace.py: it traces the sample programs in tests/fixtures/students and
the traces say what those programs did. Run: python3 -m unittest discover -s tools
(scripts/test does, in its native step). tests/e2e/traces.test.mjs loads such a trace in
the page."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures", "students")


def trace(program, *args, flags=()):
    """Runs pytrace on a fixture; returns its trace and, per lane, its kind, name and events."""
    with tempfile.TemporaryDirectory() as out:
        path = os.path.join(out, "trace.json")
        done = subprocess.run(
            [sys.executable, os.path.join(HERE, "pytrace.py"), *flags, "-o", path,
             os.path.join(FIXTURES, program), *args],
            capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise AssertionError(f"pytrace failed: {done.stderr}")
        with open(path) as f:
            data = json.load(f)
    lanes = {}
    for e in data["traceEvents"]:
        key = (e["pid"], e.get("tid"))
        if e["ph"] == "M" and e["name"] == "thread_name":
            lanes.setdefault(key, {"events": []}).update(name=e["args"]["name"], kind=e["args"]["lane_kind"])
        elif e["ph"] == "X":
            assert isinstance(e["ts"], (int, float)) and isinstance(e["dur"], (int, float)), e
            assert e["dur"] >= 0 and e["ts"] >= 0, e
            lanes.setdefault(key, {"events": []})["events"].append(e)
    for key, lane in lanes.items():
        assert "name" in lane, f"lane {key} has events but no name"
    return data, lanes


def total(lane, cat, name=None):
    """Milliseconds the lane spent in events of `cat` (and `name`)."""
    return sum(e["dur"] for e in lane["events"]
               if e["cat"] == cat and (name is None or e["name"] == name)) / 1000


def strategy(data):
    names = [e for e in data["traceEvents"] if e["ph"] == "M" and e["name"] == "process_name"]
    return names[0]["args"].get("strategy") if len(names) == 1 else None


class Threads(unittest.TestCase):
    def test_threads_sleep_wait_for_the_lock_and_start(self):
        data, lanes = trace("threads_and_lock.py")
        by_name = {lane["name"]: lane for lane in lanes.values()}
        self.assertEqual(set(by_name), {"MainThread", "compute-1", "compute-2", "fetch-1", "fetch-2"})
        self.assertEqual(strategy(data), "gil" if data["otherData"]["gil"] else "threads")
        for name in ("fetch-1", "fetch-2"):
            # fetch sleeps 50 and 80 ms: at least that, as a wait.
            self.assertGreaterEqual(total(by_name[name], "waiting", "time.sleep"), 45, name)
        for name in ("compute-1", "compute-2", "fetch-1", "fetch-2"):
            self.assertEqual(len([e for e in by_name[name]["events"] if e["cat"] == "starting"]), 1, name)
        # Each compute thread holds the lock for 40 ms while sleeping: whoever comes second
        # waits for it.
        blocked = sum(total(lane, "blocked", "Lock.acquire") for lane in by_name.values())
        self.assertGreaterEqual(blocked, 10)
        self.assertGreater(total(by_name["MainThread"], "waiting", "Thread.join"), 0)


class Gil(unittest.TestCase):
    GIL = "waiting for the GIL (inferred)"

    def waits(self, lane):
        return [(e["ts"], e["ts"] + e["dur"]) for e in lane["events"] if e["name"] == self.GIL]

    @unittest.skipUnless(getattr(sys, "_is_gil_enabled", lambda: True)(), "this Python has no GIL")
    def test_two_computing_threads_take_turns_with_the_gil(self):
        data, lanes = trace("gil_threads.py", flags=["--gil"])
        self.assertTrue(data["otherData"]["gil_inferred"])
        by_name = {lane["name"]: lane for lane in lanes.values()}
        one, two = self.waits(by_name["fib-1"]), self.waits(by_name["fib-2"])
        self.assertTrue(one and two, "each waits for the other at some point")
        # Turns: while one waits the other runs, so their waits hardly overlap.
        both = sum(max(0, min(b1, b2) - max(a1, a2)) for a1, b1 in one for a2, b2 in two)
        shorter = min(sum(b - a for a, b in one), sum(b - a for a, b in two))
        self.assertLess(both, 0.1 * shorter, f"{both} µs waited by both, of {shorter}")
        for e in by_name["MainThread"]["events"]:
            self.assertNotEqual(e["name"], self.GIL, "main only joins: its waits are its own")

    def test_without_the_flag_nothing_is_inferred(self):
        data, lanes = trace("gil_threads.py")
        self.assertFalse(data["otherData"]["gil_inferred"])
        self.assertFalse(any(self.waits(lane) for lane in lanes.values()))


class Asyncio(unittest.TestCase):
    def test_tasks_are_lanes_that_wait_for_their_turn(self):
        data, lanes = trace("async_tasks.py")
        tasks = [lane for lane in lanes.values() if lane["kind"] == "coroutine"]
        self.assertEqual(sorted(lane["name"].split()[1] for lane in tasks),
                         ["download", "download", "download", "main"])
        self.assertEqual(strategy(data), "async")
        # Task c computes 25 ms in one step while a and b are due after 20 ms: one of them
        # waits for its turn for most of that.
        turns = max(total(lane, "blocked") for lane in tasks)
        self.assertGreaterEqual(turns, 10)
        for lane in tasks:
            self.assertGreater(total(lane, "computing"), 0, lane["name"])
        loop = [lane for lane in lanes.values() if lane["name"] == "MainThread"][0]
        self.assertGreater(total(loop, "waiting"), 10, "the loop idles in select while all await")


class Processes(unittest.TestCase):
    def check(self, method):
        data, lanes = trace("processes_pool.py", method)
        pids = {pid for pid, _ in lanes}
        children = [lane for lane in lanes.values() if lane["kind"] == "process"]
        self.assertGreaterEqual(len(pids), 3, f"the parent, a pool worker and a process ({method})")
        self.assertEqual(len(children), len(pids) - 1)
        self.assertTrue(any(lane["name"].endswith("Process-3") for lane in children), method)
        for lane in children:
            self.assertEqual(len([e for e in lane["events"] if e["cat"] == "starting"]), 1, lane["name"])
        self.assertIsNone(strategy(data), "several processes: the page says processes")

    def test_fork_children_write_their_files_and_are_merged(self):
        self.check("fork")

    def test_spawned_children_trace_themselves_too(self):
        self.check("spawn")


if __name__ == "__main__":
    unittest.main()
