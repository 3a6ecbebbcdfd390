"""The Asterisk Manager Interface (AMI, TCP 5038): framing, a client that runs under gevent or plain threads, and the
live queue state its events make (issue 16, CC-4).

Our own small client, not panoramisk: panoramisk is built on asyncio, and the web process runs bottle on gevent,
where asyncio's running-loop state is per OS thread (STACK.md §1: asyncio.run in greenlets fails); bridging it would
need a loop thread and a future per action. AMI is a line protocol of `Key: Value` blocks; a blocking socket client
of ~300 lines is cooperative under gevent's monkey-patching and works unchanged in a plain thread.
"""
