#!/usr/bin/env python3
"""Runs scripts/thousand-requests.py against a stand-in for aiohttp (no aiohttp, no
network): every request takes 2 ms, a few fail once. Fails unless the script uses one
session for every request, has at most LIMIT requests in flight and reaches that limit,
retries the failures and returns all 1,000 todos in order. The same checks run on the
pattern source 000 shows (a session per request, all at once), which must fail them: the
stand-in can tell the two apart. Run by tests/lint/code-panels.mjs.
"""

import asyncio
import importlib.util
import pathlib
import sys
import types

ROOT = pathlib.Path(__file__).resolve().parents[2]
FAIL_ONCE = {7, 500, 999}


class Stats:
    def __init__(self):
        self.sessions = self.in_flight = self.peak = self.requests = 0
        self.failed = set()


class ClientError(Exception):
    pass


def stand_in(stats):
    class Response:
        def __init__(self, todo_id):
            self.todo_id = todo_id

        async def __aenter__(self):
            stats.requests += 1
            stats.in_flight += 1
            stats.peak = max(stats.peak, stats.in_flight)
            await asyncio.sleep(0.002)
            if self.todo_id in FAIL_ONCE and self.todo_id not in stats.failed:
                stats.failed.add(self.todo_id)
                stats.in_flight -= 1
                raise ClientError(f"todo {self.todo_id}: connection reset")
            return self

        async def __aexit__(self, *exc):
            stats.in_flight -= 1

        def raise_for_status(self):
            pass

        async def json(self):
            await asyncio.sleep(0)
            return {"id": self.todo_id}

    class ClientSession:
        def __init__(self):
            stats.sessions += 1

        async def __aenter__(self):
            return self

        async def __aexit__(self, *exc):
            pass

        def get(self, url):
            return Response(int(url.rstrip("/").rsplit("/", 1)[1]))

    module = types.ModuleType("aiohttp")
    module.ClientError = ClientError
    module.ClientSession = ClientSession
    return module


def load(stats):
    sys.modules["aiohttp"] = stand_in(stats)
    spec = importlib.util.spec_from_file_location("thousand", ROOT / "scripts/thousand-requests.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def problems(stats, todos, limit):
    found = []
    if stats.sessions != 1:
        found.append(f"{stats.sessions} sessions, not 1")
    if stats.peak > limit:
        found.append(f"{stats.peak} requests in flight at once, above the limit of {limit}")
    if stats.peak < limit:
        found.append(f"at most {stats.peak} requests in flight: the limit of {limit} is never reached")
    ids = [t.get("id") if isinstance(t, dict) else t for t in todos]
    if ids != list(range(1, 1001)):
        lost = [i for i, t in zip(range(1, 1001), ids) if t != i]
        found.append(f"todos missing or out of order (first: {lost[:3]})")
    return found


def source_000_pattern(aiohttp):
    """The shape of source 000's code: a session per request, every request at once."""

    async def get_todo(todo_id):
        async with aiohttp.ClientSession() as session:
            async with session.get(f"https://jsonplaceholder.typicode.com/todos/{todo_id}") as r:
                return await r.json()

    async def main():
        return await asyncio.gather(*(get_todo(i) for i in range(1, 1001)), return_exceptions=True)

    return main


def main():
    stats = Stats()
    script = load(stats)
    todos = asyncio.run(script.main())
    found = problems(stats, todos, script.LIMIT)
    if stats.requests != 1000 + len(FAIL_ONCE):
        found.append(f"{stats.requests} requests for 1,000 todos and {len(FAIL_ONCE)} failures")
    if found:
        sys.exit("scripts/thousand-requests.py: " + "; ".join(found))
    control = Stats()
    todos = asyncio.run(source_000_pattern(stand_in(control))())
    if not problems(control, todos, script.LIMIT):
        sys.exit("the stand-in cannot tell source 000's pattern from the corrected code")
    print(
        f"thousand-requests.py: 1 session, at most {stats.peak} in flight (limit {script.LIMIT}), "
        f"{len(FAIL_ONCE)} failures retried, 1,000 todos; source 000's pattern: "
        f"{control.sessions} sessions, {control.peak} in flight"
    )


if __name__ == "__main__":
    main()
