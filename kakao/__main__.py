"""``python -m kakao``: serve the KakaoTalk skill on 127.0.0.1:$KAKAO_SKILL_PORT (default 8001).

KAKAO_SKILL_SECRET is required: Kakao's skill sends it in X-Ieomoa-Skill-Secret.
IEOMOA_KAKAO_DEADLINE_SECONDS (tests only) shortens the 4.5 s direct-answer deadline, so a
test can send every answer through the callback without a slow turn.
"""

from __future__ import annotations

import asyncio

import uvicorn
from fastapi import FastAPI

from ieomoa.config import Settings, load_settings
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


def build_app(settings: Settings, secret: str) -> FastAPI:
    """The skill server over a conversation core on the settings' database and Rasa."""
    sessions = session_factory(settings.database_url)
    rasa = RasaClient(settings.rasa_url, auth_token=settings.rasa_auth_token)
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
    deadline = settings.kakao_deadline_seconds
    turns = SkillTurns(ConversationCore(services, channel="kakao"),
                       deadline=DEFAULT_DEADLINE if deadline is None else deadline)
    return create_app(turns, secret, on_close=rasa.aclose)


def main() -> None:
    """Serve the skill until interrupted."""
    configure_logging()
    settings = load_settings()
    if not settings.kakao_skill_secret:
        raise SystemExit("KAKAO_SKILL_SECRET is not set")
    app = build_app(settings, settings.kakao_skill_secret)
    uvicorn.run(app, host=settings.bind_host, port=settings.kakao_skill_port, log_level="info")


if __name__ == "__main__":
    main()
