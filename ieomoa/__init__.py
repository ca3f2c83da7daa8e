"""The core every process and every channel shares: settings (config.py), the typed models
and their Alembic migrations, the service layer (services/, each service owns its
transactions), the channel-neutral conversation turn (conversation/), the answer parsers
(answers/), speech, encryption and the operator commands on its data (migrate, rotate_key,
retention).

It imports only itself, log_privacy/ and third-party libraries: never an adapter (bot/,
kakao/, relay/, agency_api/), the action server (actions/), tools/, bench/ or tests/, nor a
messenger library or rasa_sdk. tests/unit/test_layering.py checks this.
"""
