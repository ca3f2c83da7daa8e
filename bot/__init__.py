"""Telegram front end of the 이어모아 assistant (python-telegram-bot)."""
