"""The custom actions Rasa calls over HTTP (rasa_sdk): the application form's validation and
questions, the application flow, caregivers, status, privacy, erasure and preferences.

``python -m actions.server`` serves them behind a shared secret (server.py). Actions read and
write data only through the core's services (``ieomoa``, one engine per process in
services.py). This package may import rasa_sdk and ``ieomoa``; never bot/, relay/,
agency_api/, tools/, bench/ or tests/, and nothing in ``ieomoa`` imports it.
"""
