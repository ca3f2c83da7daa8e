#!/usr/bin/env bash
# The secret files docker-compose.yml hands to the containers (compose `secrets:`), one value
# per file in secrets/ (or the folder given). Random values are made for everything but the
# bot token, which comes from TELEGRAM_BOT_TOKEN or a file you write yourself. Files that
# exist are kept, so running it again changes nothing; delete a file to make a new value.
#
#   make secrets                                   (or scripts/make-secrets.sh [dir])
#   TELEGRAM_BOT_TOKEN=123:abc make secrets
#
# The folder is 0700 and the files 0644: compose without swarm bind-mounts each file into
# /run/secrets/ with its host owner and mode, and the containers run as their own non-root
# users, so the files must be readable by any uid; the folder keeps other host users out.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-secrets}"

umask 077
mkdir -p "$dir"
chmod 700 "$dir"

# 32 random bytes as hex: fits a URL, Telegram's secret_token alphabet and every length rule.
random_hex() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }

write() {  # write NAME VALUE: the file, unless it exists
  local file="$dir/$1"
  [ -s "$file" ] && return 0
  printf '%s\n' "$2" > "$file.tmp"
  chmod 644 "$file.tmp"
  mv "$file.tmp" "$file"
  echo "wrote $file"
}

for name in ieomoa_secret_key rasa_auth_token action_server_secret telegram_webhook_secret kakao_skill_secret \
    postgres_password; do
  write "$name" "$(random_hex)"
done
# The app's database URL carries the password postgres was set up with.
write database_url "postgresql+psycopg://ieomoa:$(tr -d '\n' < "$dir/postgres_password")@postgres:5432/ieomoa"

# KakaoTalk's Event API key (Kakao Developers, "REST API 키"): from KAKAO_REST_API_KEY, or
# a placeholder you replace with the key (KakaoTalk pushes also need KAKAO_BOT_ID in .env).
write kakao_rest_api_key "${KAKAO_REST_API_KEY:-not-set}"

if [ -n "${TELEGRAM_BOT_TOKEN:-}" ]; then
  write telegram_bot_token "$TELEGRAM_BOT_TOKEN"
fi
if [ ! -s "$dir/telegram_bot_token" ]; then
  echo "Missing $dir/telegram_bot_token: run again with TELEGRAM_BOT_TOKEN=<token from @BotFather>," >&2
  echo "or write the token into that file yourself." >&2
  exit 1
fi
