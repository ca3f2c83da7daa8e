"""The test suite: unit/ (no server), integration/ (one component against real databases,
Rasa or processes), e2e/ (the whole stack, with a Telegram stand-in); support/ holds the
helpers they share. Tests may import every package of the project, bench.support included;
nothing outside tests/ imports them.
"""

import os

# Each test sets the settings it needs: the developer's .env is left out (ieomoa/config.py
# reads none when IEOMOA_ENV_FILE is empty), here and in every process a test starts.
os.environ.setdefault("IEOMOA_ENV_FILE", "")
