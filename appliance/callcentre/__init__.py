"""Call centre (CC-1..CC-5): queue calls (journeys) from the queue events, and their KPIs, defined in one place.

journeys.py builds and keeps current the queue_call table (the worker calls refresh() as it stores queue events);
kpis.py defines and computes the queue KPIs, agents.py the agents' (sessions, pauses, occupancy); the CLI
(appliance/cli/queue.py) and the web read them. Reads the store; read by cli, webui and the worker (ingest).
"""
