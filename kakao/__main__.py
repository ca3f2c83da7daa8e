"""``python -m kakao``: serve the KakaoTalk skill on 127.0.0.1:$KAKAO_SKILL_PORT (default 8001).

KAKAO_SKILL_SECRET is required: Kakao's skill sends it in X-Ieomoa-Skill-Secret.
IEOMOA_KAKAO_DEADLINE_SECONDS (tests only) shortens the 4.5 s direct-answer deadline, so a
test can send every answer through the callback without a slow turn.
"""

from __future__ import annotations

import asyncio
import os

import uvicorn
from fastapi import FastAPI

from ieomoa.config import Settings, env_value, load_settings
from ieomoa.conversation.rasa_client import RasaClient
from ieomoa.conversation.turn import ConversationCore, ConversationServices
from ieomoa.db import session_factory
from ieomoa.logging_setup import configure_logging
from ieomoa.rasa_endpoints import tracker_store_url
from ieomoa.services.buttons import ButtonRegistry
from ieomoa.services.chats import ChatService
from ieomoa.services.erasure import ErasureService
from ieomoa.services.keyboards import KeyboardService
from kakao.app import create_app
from kakao.turns import DEFAULT_DEADLINE, SkillTurns

DEFAULT_PORT = 8001


def build_app(settings: Settings, secret: str, deadline: float = DEFAULT_DEADLINE) -> FastAPI:
    """The skill server over a conversation core on the settings' database and Rasa."""
    sessions = session_factory(settings.database_url)
    rasa = RasaClient(settings.rasa_url, auth_token=env_value("RASA_AUTH_TOKEN"))
    services = ConversationServices(
        rasa=rasa,
        buttons=ButtonRegistry(sessions),
        keyboards=KeyboardService(sessions),
        chats=ChatService(sessions),
        erasure=ErasureService(sessions),
        tracker_store_url=tracker_store_url(settings.database_url),
    )
    # Buttons are answered by their words here, but the core issues tokens all the same.
    asyncio.run(asyncio.to_thread(services.buttons.forget_expired))
    turns = SkillTurns(ConversationCore(services, channel="kakao"), deadline=deadline)
    return create_app(turns, secret, on_close=rasa.aclose)


def main() -> None:
    """Serve the skill until interrupted."""
    configure_logging()
    settings = load_settings()
    secret = env_value("KAKAO_SKILL_SECRET")
    if not secret:
        raise SystemExit("KAKAO_SKILL_SECRET is not set")
    port = int(env_value("KAKAO_SKILL_PORT") or DEFAULT_PORT)
    deadline = float(os.environ.get("IEOMOA_KAKAO_DEADLINE_SECONDS") or DEFAULT_DEADLINE)
    uvicorn.run(
        build_app(settings, secret, deadline), host=settings.bind_host, port=port, log_level="info"
    )


if __name__ == "__main__":
    main()
