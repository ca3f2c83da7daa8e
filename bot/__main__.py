"""``python -m bot``: run the Telegram bot."""

from bot.app import main

main()
