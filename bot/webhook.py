"""How the bot receives updates: long polling (the default) or a webhook.

In webhook mode Telegram POSTs each update to ``TELEGRAM_WEBHOOK_URL`` (HTTPS, on port 443,
80, 88 or 8443, usually a reverse proxy or load balancer) with the secret given in
``setWebhook`` in the ``X-Telegram-Bot-Api-Secret-Token`` header. The bot serves that path
with PTB's own webhook server (``Application.run_webhook``, tornado) on
``IEOMOA_BIND_HOST:TELEGRAM_WEBHOOK_PORT``; PTB answers 403 to a request without the secret
or with another one, so a forged update never reaches a handler. Several replicas can run
behind one URL: conversations live in Rasa's tracker store and the update ledger in the
database, so an update delivered twice, to any replica, is answered once.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer

from ieomoa.config import Settings

logger = logging.getLogger(__name__)

POLLING, WEBHOOK = "polling", "webhook"
# Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -; we ask for 16 or more, as for
# every shared secret of this project.
SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")
# An update is a few kilobytes; nothing bigger is read into memory.
MAX_UPDATE_BYTES = 1024 * 1024
MAKE_A_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class BotModeError(SystemExit):
    """The bot's update settings cannot work; the message says what to set."""


@dataclass(frozen=True)
class WebhookConfig:
    """Where Telegram sends updates, the secret it sends with them, and where the bot listens."""

    url: str
    secret: str
    listen: str
    port: int

    @property
    def path(self) -> str:
        """The URL's path, served as is (the proxy forwards it unchanged)."""
        return urlsplit(self.url).path or "/"


def bot_mode(settings: Settings) -> str:
    """``polling`` or ``webhook``, from BOT_MODE."""
    if settings.bot_mode not in (POLLING, WEBHOOK):
        raise BotModeError(f"BOT_MODE must be '{POLLING}' or '{WEBHOOK}', not '{settings.bot_mode}'.")
    return settings.bot_mode


def webhook_config(settings: Settings) -> WebhookConfig:
    """The webhook settings, or a clear error naming what is missing."""
    secret = settings.telegram_webhook_secret
    if not secret:
        raise BotModeError(
            "BOT_MODE=webhook needs TELEGRAM_WEBHOOK_SECRET: without it anyone who finds the "
            "webhook URL could send the bot forged messages. Set 16-256 characters of A-Z, a-z, "
            f"0-9, _ and -, for example from: {MAKE_A_SECRET}"
        )
    if not SECRET.fullmatch(secret):
        raise BotModeError(
            "TELEGRAM_WEBHOOK_SECRET must be 16-256 characters of A-Z, a-z, 0-9, _ and - "
            f"(Telegram accepts no others). Make one with: {MAKE_A_SECRET}"
        )
    url = settings.telegram_webhook_url
    parts = urlsplit(url or "")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise BotModeError(
            "BOT_MODE=webhook needs TELEGRAM_WEBHOOK_URL, the public HTTPS address Telegram sends "
            "updates to, for example https://bot.example.org/telegram"
        )
    if parts.scheme != "https":
        logger.warning("TELEGRAM_WEBHOOK_URL is not HTTPS: Telegram itself only delivers to HTTPS")
    return WebhookConfig(url=url or "", secret=secret, listen=settings.bind_host,
                         port=settings.telegram_webhook_port)


def check_update_settings(settings: Settings) -> None:
    """Fail before anything starts when the bot's update settings cannot work."""
    if bot_mode(settings) == WEBHOOK:
        webhook_config(settings)


def run_webhook(application: Application, config: WebhookConfig) -> None:
    """Serve Telegram's POSTs with PTB's webhook server until stopped (SIGINT or SIGTERM)."""
    # PTB builds tornado's HTTPServer without a body limit of its own (tornado's default is
    # 100 MB); this sets ours for every HTTPServer of the process, which has only this one.
    HTTPServer.configure(None, max_body_size=MAX_UPDATE_BYTES)
    # PTB's webhook server logs each update's body (and a wrong secret) at DEBUG.
    updater_log = logging.getLogger("telegram.ext.Updater")
    updater_log.setLevel(max(updater_log.getEffectiveLevel(), logging.INFO))
    logger.info("Bot webhook listening on %s:%d%s", config.listen, config.port, config.path)
    application.run_webhook(
        listen=config.listen, port=config.port, url_path=config.path, webhook_url=config.url,
        secret_token=config.secret, allowed_updates=Update.ALL_TYPES, bootstrap_retries=3,
        # Updates Telegram kept while no replica answered are still wanted.
        drop_pending_updates=False,
    )
