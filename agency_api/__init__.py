"""The agency API: HTTP for agency staff to read the applications routed to them and move their status.

``python -m agency_api`` serves it (FastAPI under uvicorn); ``python -m agency_api.issue_token``
prints a new bearer token. A status change goes through the core's status service, which
queues the pushes that the relay (relay/) delivers. This package may import the core
``ieomoa``; nothing in ``ieomoa`` imports it.
"""
