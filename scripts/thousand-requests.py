#!/usr/bin/env python3
"""Source 000's 1,000 requests (one aiohttp ClientSession per request, all 1,000 started at
once), corrected: one session shared by every request, and at most LIMIT requests in
flight. The page shows this file between its code-panel markers.

    pip install aiohttp && python3 scripts/thousand-requests.py

It needs aiohttp and the network, which this project's build and tests have neither of: the
tests compile it, and run it against a stand-in for aiohttp (tests/lint/thousand-requests.py)
that counts sessions and requests in flight. It has not been run against the real API.
"""

# code-panel: thousand
import asyncio

import aiohttp

URL = "https://jsonplaceholder.typicode.com/todos/{}"
LIMIT = 50  # requests in flight at once: a question for the server's owners, not the CPU


async def get_todo(session, limit, todo_id, tries=3):
    for attempt in range(tries):
        try:
            async with limit:  # a permit around the request only
                async with session.get(URL.format(todo_id)) as response:
                    response.raise_for_status()
                    return await response.json()
        except aiohttp.ClientError:
            if attempt == tries - 1:
                raise
        await asyncio.sleep(2**attempt)  # back off, holding no permit


async def main():
    limit = asyncio.Semaphore(LIMIT)
    async with aiohttp.ClientSession() as session:  # one session, its connections reused
        todos = await asyncio.gather(
            *(get_todo(session, limit, todo_id) for todo_id in range(1, 1001)),
            return_exceptions=True,  # one failure does not lose the other 999
        )
    failed = [t for t in todos if isinstance(t, Exception)]
    print(f"{len(todos) - len(failed)} fetched, {len(failed)} failed")
    return todos


if __name__ == "__main__":
    asyncio.run(main())
# code-panel-end
