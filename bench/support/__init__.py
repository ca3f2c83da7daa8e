"""Drivers shared by the benchmarks and the tests: Rasa replicas behind HAProxy, simulated
applicants and the load they make. Nothing here imports from tests/; tests import from here.
"""
