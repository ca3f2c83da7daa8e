"""One sender per messenger: the only code that calls a messenger's API to deliver a push.

relay/senders/base.py says what a sender does (the ``Sender`` protocol) and how it reports
an outcome the relay must act on (the ``DeliveryError`` family); each messenger's module
turns its client library's calls and errors into those. Senders may import the core
``ieomoa`` and their messenger's client library, never the relay's worker.
"""
