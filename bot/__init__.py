"""The messenger side's adapters around the conversation core (``ieomoa.conversation``).

Telegram: ``python -m bot`` (app.py) receives updates by long polling or a webhook
(webhook.py), claims each one at least once (delivery.py), keeps one chat's updates in order
(update_processor.py), turns them into the core's incoming messages and its replies into
python-telegram-bot calls within Telegram's limits (handlers.py, rate_limit.py). The terminal
chat of ``make run`` without a token (terminal.py) is a second adapter over the same core.
This package may import the core ``ieomoa`` and python-telegram-bot; never actions/, another
adapter (kakao/, relay/, agency_api/), tools/, bench/ or tests/, and nothing in ``ieomoa``
imports it.
"""
