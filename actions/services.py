"""Core services as the action server uses them: one engine per process."""

from __future__ import annotations

from functools import lru_cache

from ieomoa.config import load_settings
from ieomoa.db import session_factory
from ieomoa.rasa_endpoints import tracker_store_url
from ieomoa.services.applications import ApplicationService
from ieomoa.services.caregivers import CaregiverService
from ieomoa.services.chats import ChatService
from ieomoa.services.erasure import ErasureService


@lru_cache(maxsize=1)
def chats() -> ChatService:
    """The chat service on the configured database."""
    return ChatService(session_factory())


@lru_cache(maxsize=1)
def applications() -> ApplicationService:
    """The application service on the configured database."""
    return ApplicationService(session_factory())


@lru_cache(maxsize=1)
def caregivers() -> CaregiverService:
    """The caregiver service on the configured database."""
    return CaregiverService(session_factory())


@lru_cache(maxsize=1)
def erasure() -> ErasureService:
    """The erasure service on the configured database (and Rasa's conversations beside it)."""
    return ErasureService(session_factory(), tracker_store_url(load_settings().database_url))
