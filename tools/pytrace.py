#!/usr/bin/env python3
"""pytrace: record what a Python program's threads, asyncio tasks and processes did, as a
trace in Chrome's Trace Event Format, which the site's traces.html page draws (and so do
ui.perfetto.dev and chrome://tracing).

    python3 tools/pytrace.py [-o trace.json] program.py [its arguments...]
    python3 tools/pytrace.py [-o trace.json] -m package.module [its arguments...]
    python3 tools/pytrace.py --gil [-o trace.json] program.py   # also infer GIL waits

Standard library only (Python 3.9 and later). The program runs as it would under
`python3 program.py`, with a few functions of the standard library wrapped so that each
call records when it started and ended. Nothing is sent anywhere: the trace is one file.

What it draws, lane by lane:
- a lane per thread (its `threading` name), computing from its start to its end except
  while it waits in one of the calls below; its start-up (from `Thread.start()` until
  the thread runs) as starting;
- a lane per asyncio task, made by any event loop's `create_task` (so `asyncio.run`,
  `gather`, `TaskGroup`...): computing while one of its steps runs, waiting while it awaits,
  and waiting for its turn from the moment it could go on (its timer was due, or the
  future it awaited was done) until its step starts, while other tasks hold the one
  thread (for I/O, the moment the loop saw the data, not when it arrived);
- a lane per `multiprocessing` process (fork, spawn and forkserver), each child writing its
  own file that the parent merges at the end; its start-up from `Process.start()` until
  it runs as starting;
- waits: `time.sleep`, `input`, sockets (`recv`, `send`, `sendall`, `accept`, `connect`...),
  selectors (an event loop idling), `Thread.join`, `Event.wait`, `Condition.wait`,
  `Barrier.wait`, `queue.Queue` and `multiprocessing` queues and pipes, `Process.join`,
  `subprocess` waits;
- blocked on a lock: `threading.Lock`, `RLock` and `Semaphore` acquires that had to wait
  (an acquire that succeeds at once records nothing).

- with `--gil`, waiting for the GIL, inferred: a profile hook sees every call and return of
  every thread; a thread that makes calls is running Python, so it holds the GIL then. A
  thread that paused (no call for over GIL_GAP_US, 0.5 ms, and not inside a C function)
  while another thread of its process ran Python is drawn as blocked, "waiting for the GIL
  (inferred)", for the part of its pause that the other ran. The hook slows calls a lot:
  naive fib(20), 21,891 calls, took 0.8 ms without it and about 60 ms with it, some 70
  times as long (Python 3.11 on the 2-core test machine, best of 5; `pytrace.py
  --overhead` measures it on yours). Code that makes few calls slows far less.

What it cannot see, and draws as computing:
- **the GIL, without `--gil`.** A thread drawn computing is running Python, or waiting for
  CPython's global lock to run it: nothing in the standard library says which thread holds
  the lock. What the script can tell is when a thread has let the lock go, since every wait
  above releases it. Two threads that compute in Python at once on a CPython with the GIL
  take turns, so their "computing" bars overlap while only one of them runs at any
  instant. Even with `--gil`, the inference is only as fine as the calls: a loop that
  calls no function looks, to the hook, like a pause (it is drawn as waiting only for the
  part another thread ran), and the GIL taken back at the end of a wait counts as the wait;
- waits it does not wrap: reading or writing files (`open(...).read()`), `os.read`,
  `select.select` called directly, a C extension that releases the GIL (NumPy, hashlib on
  large data), `multiprocessing` locks and semaphores, and anything a program imported
  under another name before this script wrapped it (it wraps before the program starts,
  so `from time import sleep` is seen);
- processes started otherwise than by `multiprocessing` (`subprocess`, `os.fork`), and
  children killed before they could write their file (a pool's workers are: their file
  is written when they are told to stop, and on SIGTERM);
- waits shorter than MIN_US (50 µs): too thin to see, and there can be thousands.

The clock is `time.perf_counter_ns()`, which on Linux, macOS and Windows reads one clock
for all processes, so children's times line up with the parent's. The wrappers cost about
a microsecond per wrapped call, and nothing for code that makes no such call.
"""

from __future__ import annotations

import argparse
import collections.abc
import functools
import json
import os
import runpy
import signal
import sys
import tempfile
import threading
import time
import types

# Waits shorter than this (µs) are not recorded: an uncontended queue get, a poll that
# finds data at once; they would be too thin to see, and there can be many.
MIN_US = 50.0
# A process stops recording after this many events (the page reads 200,000 in all).
MAX_EVENTS = 60_000

_ENV_DIR = "PYTRACE_DIR"
_ENV_T0 = "PYTRACE_T0_NS"
_ENV_GIL = "PYTRACE_GIL"
_TOOL_DIR = os.path.dirname(os.path.abspath(__file__))

_perf_ns = time.perf_counter_ns
_T0 = _perf_ns()
_events: list = []
_lanes: dict = {}  # tid -> {"name", "kind", "start", "end", "sort"}
_dropped = 0
_local = threading.local()
_installed = False
_process_name = "main process"
_process_started = None  # when Process.start() was called in the parent (µs)
_task_count = 0
_TASK_TID = 1_000_000_000  # asyncio tasks' lanes: ids no OS thread has


def _now() -> float:
    """Microseconds since the trace's origin."""
    return (_perf_ns() - _T0) / 1000.0


def _state():
    s = _local.__dict__
    if "depth" not in s:
        s["depth"] = 0
        s["coro"] = None
    return _local


def _emit(tid: int, cat: str, name: str, start: float, end: float) -> None:
    global _dropped
    if len(_events) >= MAX_EVENTS:
        _dropped += 1
        return
    _events.append({"ph": "X", "pid": os.getpid(), "tid": tid, "cat": cat, "name": name,
                    "ts": round(start, 3), "dur": round(max(end - start, 0.0), 3)})


def _record_wait(cat: str, name: str, start: float, end: float) -> None:
    """A wait of the current thread, and of the asyncio task whose step it is in, if any."""
    if end - start < MIN_US:
        return
    _emit(threading.get_native_id(), cat, name, start, end)
    coro = _state().coro
    if coro is not None:
        _emit(coro.tid, cat, name, start, end)


def _lane_begin(name: str, kind: str, started=None) -> None:
    tid = threading.get_native_id()
    now = _now()
    _lanes[tid] = {"name": name, "kind": kind, "start": now, "end": None, "sort": len(_lanes)}
    if started is not None and started < now:
        _emit(tid, "starting", "starting", started, now)
        _lanes[tid]["start"] = started


def _lane_end() -> None:
    lane = _lanes.get(threading.get_native_id())
    if lane is not None and lane["end"] is None:
        lane["end"] = _now()


def _waits(cat: str, name: str):
    """Wraps a function so that each call of it is recorded as a wait (the outermost only:
    Event.wait inside Queue.get is one wait, the get)."""
    def wrap(fn):
        if getattr(fn, "_pytrace", False):
            return fn

        @functools.wraps(fn)
        def waiting(*args, **kwargs):
            st = _state()
            if st.depth:
                return fn(*args, **kwargs)
            st.depth += 1
            start = _now()
            try:
                return fn(*args, **kwargs)
            finally:
                st.depth -= 1
                _record_wait(cat, name, start, _now())

        waiting._pytrace = True
        return waiting
    return wrap


def _patch(owner, attr: str, cat: str, name: str) -> None:
    fn = getattr(owner, attr, None)
    if fn is not None:
        setattr(owner, attr, _waits(cat, name)(fn))


class _TracedLock:
    """A threading lock that records the acquires that had to wait."""

    __slots__ = ("_lock", "_name")

    def __init__(self, lock, name):
        self._lock = lock
        self._name = name

    def acquire(self, blocking=True, timeout=-1):
        if self._lock.acquire(False):
            return True
        if not blocking:
            return False
        st = _state()
        st.depth += 1
        start = _now()
        try:
            return self._lock.acquire(True, timeout)
        finally:
            st.depth -= 1
            if st.depth == 0:
                _record_wait("blocked", self._name, start, _now())

    def release(self):
        self._lock.release()

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self._lock.release()

    def locked(self):
        return self._lock.locked()

    def __getattr__(self, name):
        # An RLock's `_is_owned`, `_release_save`... which Condition uses when present.
        return getattr(self._lock, name)

    def __repr__(self):
        return f"<traced {self._lock!r}>"


class _TracedCoro(collections.abc.Coroutine):
    """An asyncio task's coroutine, wrapped so that each step it runs is timed."""

    def __init__(self, coro):
        global _task_count
        _task_count += 1
        self._coro = coro
        self.tid = _TASK_TID + _task_count
        self.__name__ = getattr(coro, "__name__", "task")
        self.__qualname__ = getattr(coro, "__qualname__", self.__name__)
        self.created = _now()
        self.ready_at = None
        self.done_at = None
        self.steps = 0
        self.last_end = self.created

    def _step(self, method, *args):
        st = _state()
        start = _now()
        if self.ready_at is not None and self.ready_at < start:
            _emit(self.tid, "blocked", "ready, waiting for its turn on the loop", self.ready_at, start)
        self.ready_at = None
        outer, st.coro = st.coro, self
        try:
            return method(*args)
        except BaseException:
            self.done_at = _now()
            raise
        finally:
            st.coro = outer
            self.steps += 1
            self.last_end = _now()
            _emit(self.tid, "computing", f"step {self.steps}", start, self.last_end)

    def send(self, value):
        return self._step(self._coro.send, value)

    def throw(self, *args):
        return self._step(self._coro.throw, *args)

    def close(self):
        return self._coro.close()

    def __await__(self):
        return self._coro.__await__()


def _install_asyncio() -> None:
    import asyncio

    import weakref

    loop_class = asyncio.BaseEventLoop
    create_task = loop_class.create_task
    call_soon = loop_class.call_soon
    call_at = loop_class.call_at
    # Futures that a timer will complete (asyncio.sleep's), and when (the loop's clock).
    deadlines = weakref.WeakKeyDictionary()

    @functools.wraps(create_task)
    def traced_create_task(self, coro, *args, **kwargs):
        if (not asyncio.iscoroutine(coro) or isinstance(coro, _TracedCoro)
                or getattr(coro, "__qualname__", "").startswith("BaseEventLoop.")):
            # asyncio's own tasks (shutting down async generators and the executor when
            # asyncio.run ends) are left out: they are not the program's.
            return create_task(self, coro, *args, **kwargs)
        wrapped = _TracedCoro(coro)
        task = create_task(self, wrapped, *args, **kwargs)
        name = task.get_name() if hasattr(task, "get_name") else "task"
        _lanes[wrapped.tid] = {"name": f"{name} {wrapped.__qualname__}", "kind": "coroutine",
                               "start": wrapped.created, "end": None, "sort": len(_lanes),
                               "coro": wrapped, "thread": threading.get_native_id()}
        task.add_done_callback(lambda _t: setattr(wrapped, "done_at", wrapped.done_at or _now()))
        return task

    @functools.wraps(call_soon)
    def traced_call_soon(self, callback, *args, **kwargs):
        # A task's next step is scheduled: it is ready, and waits for its turn from now.
        # A timer's task was ready when the timer was due, though the loop could only
        # complete its future once the step that held the thread ended.
        task = getattr(callback, "__self__", None)
        if isinstance(task, asyncio.Task):
            coro = task.get_coro()
            if isinstance(coro, _TracedCoro) and coro.ready_at is None:
                now = _now()
                when = deadlines.get(args[0]) if args and isinstance(args[0], asyncio.Future) else None
                late = max(self.time() - when, 0.0) * 1e6 if when is not None else 0.0
                coro.ready_at = max(now - late, coro.last_end)
        return call_soon(self, callback, *args, **kwargs)

    @functools.wraps(call_at)
    def traced_call_at(self, when, callback, *args, **kwargs):
        if args and isinstance(args[0], asyncio.Future):
            try:
                deadlines[args[0]] = when
            except TypeError:
                pass
        return call_at(self, when, callback, *args, **kwargs)

    loop_class.create_task = traced_create_task
    loop_class.call_soon = traced_call_soon
    loop_class.call_at = traced_call_at


def _install_multiprocessing() -> None:
    import multiprocessing.connection as connection
    import multiprocessing.process as process
    import multiprocessing.queues as queues
    import multiprocessing.spawn as spawn
    import multiprocessing.util as util

    base = process.BaseProcess
    start, bootstrap = base.start, base._bootstrap

    def traced_start(self):
        self._pytrace_started = _now()
        return start(self)

    def traced_bootstrap(self, *args, **kwargs):
        # The child: a fresh recording, ended (and written) when the process's work ends or
        # when it is told to stop.
        global _process_name
        _reset_child()
        _process_name = self.name
        _lane_begin(self.name, "process", getattr(self, "_pytrace_started", None))
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            return bootstrap(self, *args, **kwargs)
        finally:
            _lane_end()
            _write_child()

    base.start, base._bootstrap = traced_start, traced_bootstrap
    _patch(base, "join", "waiting", "Process.join")
    for cls in (connection._ConnectionBase,):
        for attr in ("recv", "recv_bytes", "recv_bytes_into", "poll"):
            _patch(cls, attr, "waiting", f"Connection.{attr}")
    _patch(queues.Queue, "get", "waiting", "multiprocessing Queue.get")
    _patch(queues.SimpleQueue, "get", "waiting", "multiprocessing SimpleQueue.get")

    # A spawned child (and a forkserver) is a fresh interpreter: it imports this script
    # first, so that it records too.
    prefix = (f"import sys; sys.path.insert(0, {_TOOL_DIR!r}); import pytrace; "
              "pytrace._install_in_child(); ")
    get_command_line = spawn.get_command_line

    def traced_command_line(**kwds):
        cmd = list(get_command_line(**kwds))
        if "-c" in cmd:
            i = cmd.index("-c") + 1
            cmd[i] = prefix + cmd[i]
        return cmd

    spawn.get_command_line = traced_command_line
    spawnv_passfds = util.spawnv_passfds

    def traced_spawnv_passfds(path, args, passfds):
        args = list(args)
        if "-c" in args:
            i = args.index("-c") + 1
            if "multiprocessing.forkserver" in args[i]:
                args[i] = prefix + args[i]
        return spawnv_passfds(path, args, passfds)

    util.spawnv_passfds = traced_spawnv_passfds


def _install() -> None:
    """Wraps the waits, once per process."""
    global _installed
    if _installed:
        return
    _installed = True
    import builtins
    import queue
    import selectors
    import socket
    import subprocess

    _patch(time, "sleep", "waiting", "time.sleep")
    _patch(builtins, "input", "waiting", "input")
    for attr in ("recv", "recv_into", "recvfrom", "recvfrom_into", "send", "sendall", "accept",
                 "connect"):
        _patch(socket.socket, attr, "waiting", f"socket.{attr}")
    for name in ("SelectSelector", "PollSelector", "EpollSelector", "KqueueSelector",
                 "DevpollSelector"):
        cls = getattr(selectors, name, None)
        if cls is not None:
            _patch(cls, "select", "waiting", "select (waiting for I/O or a timer)")
    _patch(threading.Thread, "join", "waiting", "Thread.join")
    _patch(threading.Event, "wait", "waiting", "Event.wait")
    _patch(threading.Condition, "wait", "waiting", "Condition.wait")
    _patch(threading.Barrier, "wait", "waiting", "Barrier.wait")
    _patch(threading.Semaphore, "acquire", "blocked", "Semaphore.acquire")
    _patch(queue.Queue, "get", "waiting", "Queue.get")
    _patch(queue.Queue, "put", "waiting", "Queue.put")
    if isinstance(getattr(queue, "SimpleQueue", None), type):
        # A C type, whose methods cannot be wrapped in place: a subclass takes its name
        # (concurrent.futures' thread pools wait for work on one).
        class SimpleQueue(queue.SimpleQueue):
            get = _waits("waiting", "SimpleQueue.get")(queue.SimpleQueue.get)

        queue.SimpleQueue = SimpleQueue
    _patch(subprocess.Popen, "wait", "waiting", "subprocess wait")
    _patch(subprocess.Popen, "communicate", "waiting", "subprocess communicate")

    lock, rlock = threading.Lock, threading.RLock
    threading.Lock = lambda: _TracedLock(lock(), "Lock.acquire")
    threading.RLock = lambda *a, **k: _TracedLock(rlock(*a, **k), "RLock.acquire")

    thread_start, bootstrap_inner = threading.Thread.start, threading.Thread._bootstrap_inner

    def traced_thread_start(self):
        self._pytrace_started = _now()
        return thread_start(self)

    def traced_bootstrap_inner(self):
        _lane_begin(self.name, "thread", getattr(self, "_pytrace_started", None))
        try:
            bootstrap_inner(self)
        finally:
            _lane_end()

    threading.Thread.start = traced_thread_start
    threading.Thread._bootstrap_inner = traced_bootstrap_inner
    _install_asyncio()
    _install_multiprocessing()
    os.register_at_fork(after_in_child=_reset_child)


# --- --gil: which thread ran Python, inferred from when each made calls --------------------
#
# With --gil, a profile hook (sys.setprofile, threading.setprofile) sees every call and
# return of every thread. A thread that calls functions runs Python, so holds the GIL, at
# those instants; a run of such instants, none more than GIL_GAP_US apart, is a burst. A
# pause between two bursts, outside any C call, is time the thread did not run Python:
# where another thread of the process had a burst meanwhile, and so held the GIL, the
# paused thread is drawn as blocked, waiting for the GIL. This is an inference, and it
# slows the program (every call goes through the hook): see the module's docstring.

GIL_GAP_US = 500.0
_gil_on = False
_bursts: dict = {}  # native thread id -> [[start, end], ...] (µs)
_pauses: dict = {}  # native thread id -> [[start, end], ...]


def _gil_hook(frame, event, arg):
    t = (_perf_ns() - _T0) / 1000.0
    s = _local.__dict__
    last = s.get("gil_last")
    if last is None:
        tid = threading.get_native_id()
        s["gil_tid"], s["gil_in_c"] = tid, 0
        s["gil_bursts"] = _bursts.setdefault(tid, [[t, t]])
        s["gil_pauses"] = _pauses.setdefault(tid, [])
    elif t - last > GIL_GAP_US:
        # A pause, unless the thread was in a C function (which may or may not have held
        # the GIL: neither a pause nor a burst); either way a new burst starts.
        if s["gil_in_c"] == 0:
            s["gil_pauses"].append([last, t])
        s["gil_bursts"].append([t, t])
    s["gil_bursts"][-1][1] = t
    s["gil_last"] = t
    if event == "c_call":
        s["gil_in_c"] += 1
    elif event in ("c_return", "c_exception") and s["gil_in_c"] > 0:
        s["gil_in_c"] -= 1


def _start_gil() -> None:
    global _gil_on
    _gil_on = True
    threading.setprofile(_gil_hook)
    sys.setprofile(_gil_hook)


def _gil_waits(tid: int) -> list:
    """The parts of thread `tid`'s pauses during which another thread ran Python."""
    others = sorted(b for other, bursts in _bursts.items() if other != tid for b in bursts)
    merged = []
    for start, end in others:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out = []
    import bisect
    starts = [m[0] for m in merged]
    for start, end in _pauses.get(tid, []):
        i = max(bisect.bisect_right(starts, start) - 1, 0)
        while i < len(merged) and merged[i][0] < end:
            a, b = max(start, merged[i][0]), min(end, merged[i][1])
            if b - a >= MIN_US:
                out.append((a, b))
            i += 1
    return out


def _reset_child() -> None:
    """A forked child starts with the parent's recording: it keeps none of it."""
    global _dropped
    _events.clear()
    _lanes.clear()
    _bursts.clear()
    _pauses.clear()
    _local.__dict__.pop("gil_last", None)
    _dropped = 0


def _install_in_child() -> None:
    """Called first thing in a spawned child or a forkserver (see _install_multiprocessing)."""
    global _T0
    _T0 = int(os.environ.get(_ENV_T0, _T0))
    _install()
    if os.environ.get(_ENV_GIL):
        _start_gil()


def _on_sigterm(signum, frame):
    _lane_end()
    _write_child()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def _finished_events(end: float) -> list:
    """This process's events, with each lane's life as one computing event under its waits,
    and its names as metadata."""
    pid = os.getpid()
    out = []
    for tid, lane in _lanes.items():
        stop = lane["end"]
        coro = lane.get("coro")
        if coro is not None:
            stop = coro.done_at
        stop = end if stop is None else stop
        if coro is not None:
            # Between its steps a task awaits: its life is waiting, its steps compute.
            out.append({"ph": "X", "pid": pid, "tid": tid, "cat": "waiting", "name": "awaiting",
                        "ts": round(lane["start"], 3), "dur": round(max(stop - lane["start"], 0), 3)})
        else:
            out.append({"ph": "X", "pid": pid, "tid": tid, "cat": "computing",
                        "name": "running (Python, C, or waiting for the GIL)",
                        "ts": round(lane["start"], 3), "dur": round(max(stop - lane["start"], 0), 3)})
        if coro is None and _gil_on:
            for a, b in _gil_waits(tid):
                out.append({"ph": "X", "pid": pid, "tid": tid, "cat": "blocked",
                            "name": "waiting for the GIL (inferred)",
                            "ts": round(a, 3), "dur": round(b - a, 3)})
        out.append({"ph": "M", "pid": pid, "tid": tid, "name": "thread_name",
                    "args": {"name": lane["name"], "lane_kind": lane["kind"]}})
        out.append({"ph": "M", "pid": pid, "tid": tid, "name": "thread_sort_index",
                    "args": {"sort_index": lane["sort"]}})
    out.append({"ph": "M", "pid": pid, "tid": 0, "name": "process_name",
                "args": {"name": f"{_process_name} (pid {pid})"}})
    return out + list(_events)


def _write_child() -> None:
    folder = os.environ.get(_ENV_DIR)
    if not folder:
        return
    events = _finished_events(_now())
    path = os.path.join(folder, f"{os.getpid()}.json")
    with open(path + ".part", "w") as f:
        json.dump({"events": events, "dropped": _dropped}, f)
    os.replace(path + ".part", path)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _gil_enabled() -> bool:
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


def _merge(folder: str, end: float) -> dict:
    events = _finished_events(end)
    dropped = _dropped
    children = 0
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(folder, name)) as f:
            child = json.load(f)
        events += child["events"]
        dropped += child["dropped"]
        children += 1
    kinds = {lane["kind"] for lane in _lanes.values()}
    threads = sum(1 for lane in _lanes.values() if lane["kind"] == "thread")
    if children == 0:
        # Said so that the page's summary names the model: coroutines, threads under the
        # global lock (or free threads), or one thread.
        if "coroutine" in kinds:
            strategy = "async"
        elif threads > 1:
            strategy = "gil" if _gil_enabled() else "threads"
        else:
            strategy = "sync"
        for e in events:
            if e["ph"] == "M" and e["name"] == "process_name":
                e["args"].update(strategy=strategy, cores=_cores())
    else:
        for e in events:
            if e["ph"] == "M" and e["name"] == "process_name":
                e["args"]["cores"] = _cores()
    other = {"tool": "tools/pytrace.py", "python": sys.version.split()[0], "cores": _cores(),
             "gil": _gil_enabled(), "gil_inferred": _gil_on, "processes": children + 1, "dropped_events": dropped}
    return {"traceEvents": events, "displayTimeUnit": "ms", "otherData": other}


def _overhead() -> str:
    """The --gil hook's cost on naive fib(20), best of 5, as one line."""
    def fib(n):
        return n if n < 2 else fib(n - 1) + fib(n - 2)

    def best():
        times = []
        for _ in range(5):
            start = time.perf_counter()
            fib(20)
            times.append(time.perf_counter() - start)
        return min(times) * 1000

    plain = best()
    sys.setprofile(_gil_hook)
    try:
        hooked = best()
    finally:
        sys.setprofile(None)
    return (f"naive fib(20), 21,891 calls: {plain:.1f} ms without the --gil hook, {hooked:.1f} ms "
            f"with it ({hooked / plain:.0f} times as long), best of 5, Python {sys.version.split()[0]}")


def main(argv=None) -> int:
    global _T0, _process_name
    parser = argparse.ArgumentParser(
        prog="pytrace.py",
        description="Trace a Python program's threads, asyncio tasks and processes into "
                    "Chrome's Trace Event Format (for traces.html or ui.perfetto.dev).")
    parser.add_argument("-o", "--output", default="trace.json", help="where to write the trace")
    parser.add_argument("-m", dest="module", help="run a module, as python -m does")
    parser.add_argument("--gil", action="store_true",
                        help="infer which thread held the GIL from when each thread made calls "
                             "(slows the program: every call goes through a profile hook)")
    parser.add_argument("--overhead", action="store_true",
                        help="measure what the --gil hook costs on this machine, and exit")
    parser.add_argument("program", nargs="?", help="the program to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="its arguments")
    opts = parser.parse_args(argv)
    if opts.overhead:
        print(_overhead())
        return 0
    if not opts.module and not opts.program:
        parser.error("name a program to run (or -m module)")
    output = os.path.abspath(opts.output)

    folder = tempfile.mkdtemp(prefix="pytrace-")
    os.environ[_ENV_DIR] = folder
    _install()
    _T0 = _perf_ns()
    os.environ[_ENV_T0] = str(_T0)
    if opts.gil:
        os.environ[_ENV_GIL] = "1"
        _start_gil()
    _process_name = "main process"
    _lane_begin(threading.current_thread().name, "thread")

    code = 0
    try:
        if opts.module:
            sys.argv = [opts.module, *([opts.program] if opts.program else []), *opts.args]
            runpy.run_module(opts.module, run_name="__main__", alter_sys=True)
        else:
            path = os.path.abspath(opts.program)
            sys.argv = [opts.program, *opts.args]
            sys.path[0] = os.path.dirname(path)
            # A real module as __main__, so that multiprocessing finds the program's
            # functions in its children (by pickling for fork, by path for spawn).
            main_module = types.ModuleType("__main__")
            main_module.__file__ = path
            main_module.__builtins__ = __builtins__
            sys.modules["__main__"] = main_module
            with open(path, "rb") as f:
                compiled = compile(f.read(), path, "exec")
            exec(compiled, main_module.__dict__)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:
        import traceback
        traceback.print_exc()
        code = 1
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
        end = _now()
        _lane_end()
        trace = _merge(folder, end)
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))
        os.rmdir(folder)
        with open(output, "w") as f:
            json.dump(trace, f)
        lanes = sum(1 for e in trace["traceEvents"] if e.get("name") == "thread_name")
        dropped = trace["otherData"]["dropped_events"]
        note = f", {dropped} events not recorded past {MAX_EVENTS} per process" if dropped else ""
        print(f"pytrace: wrote {opts.output}: {len(trace['traceEvents'])} events, {lanes} lanes, "
              f"{trace['otherData']['processes']} process(es){note}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
