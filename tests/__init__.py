"""The test suite: unit/ (no server), integration/ (one component against real databases,
Rasa or processes), e2e/ (the whole stack, with a Telegram stand-in); support/ holds the
helpers they share. Tests may import every package of the project, bench.support included;
nothing outside tests/ imports them.
"""
