"""Developer and operator tooling around the service: ``make run``'s process runner (stack.py),
its supervisor, process groups and leftover clean-up, and the command each service runs
(service_commands.py, shared with docker-compose.yml and the tests). Tools may import the core
``ieomoa`` (and start bot/, relay/, agency_api/ and actions/ as processes by module name); the
core never imports tools/, and the containers do not carry it.
"""
