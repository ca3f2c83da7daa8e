"""The outbound path's last step: deliver queued pushes to the messengers, and nothing else.

``python -m relay`` runs one relay process (several may run at once). The worker
(relay/worker.py) claims due pushes and records each outcome through the core's outbox
service (ieomoa.services.outbox), which holds every statement on the outbox; a sender per
messenger (relay/senders/) makes the calls to that messenger's API, so a second messenger
adds a sender, not a relay. The process also runs two upkeep loops (relay/upkeep.py).
This package may import the core ``ieomoa`` and messenger client libraries; nothing in
``ieomoa`` imports it.
"""
