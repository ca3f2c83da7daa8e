"""Tooling around the service, for developers and operators rather than users: ``make run``'s
process runner (stack.py) with its supervisor (supervisor.py, process_groups.py) and the
clean-up of what an earlier run left behind (leftovers.py), and the command each service
runs (service_commands.py, shared with docker-compose.yml and the tests).

Tools may import the core ``ieomoa`` and the adapters they start (bot/); they start relay/,
agency_api/ and actions/ as processes by module name. Never bench/ or tests/. The core never
imports tools/, and no container carries it.
"""
