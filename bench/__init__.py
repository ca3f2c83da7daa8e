"""Performance measurements (README, "Performance"): ``python -m bench`` (make bench),
bench.relay_outbox, bench.long_conversation and bench.load; results go to bench/results/.

support/ holds the drivers they share with the tests (Rasa replicas behind HAProxy, a
Telegram stand-in, simulated applicants). This package may import the core ``ieomoa``, the
adapters it measures and tools/ to start processes; never tests/ (tests import from here).
"""
