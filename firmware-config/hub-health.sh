#!/usr/bin/env bash
# Haven hub health check: asks the hub's kiosk server for /health a few times and restarts the hub
# service only if every attempt fails. Run by haven-hub-health.service (every minute, from its timer).
set -euo pipefail

url="http://127.0.0.1:8081/health"
unit="haven-hub.service"
attempts=3
delay=5
dry_run=0

usage() {
  cat <<'USAGE'
Usage: hub-health.sh [--url URL] [--unit UNIT] [--attempts N] [--delay SECONDS] [--dry-run] [--help]

Checks that the Haven hub answers its health URL; if all attempts fail, restarts the unit.

  --url URL          health URL (default http://127.0.0.1:8081/health)
  --unit UNIT        systemd unit to restart (default haven-hub.service)
  --attempts N       tries before declaring the hub hung (default 3)
  --delay SECONDS    pause between tries (default 5)
  --dry-run          say what would be restarted instead of restarting it
  --help             show this help

Exit status: 0 when the hub answered (or was restarted), 1 when the restart itself failed.
USAGE
}

while (($#)); do
  case "$1" in
    --url) url="${2:?--url needs a value}"; shift 2 ;;
    --unit) unit="${2:?--unit needs a value}"; shift 2 ;;
    --attempts) attempts="${2:?--attempts needs a value}"; shift 2 ;;
    --delay) delay="${2:?--delay needs a value}"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "hub-health.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$attempts" =~ ^[1-9][0-9]*$ ]] || { echo "hub-health.sh: --attempts must be 1 or more, got '$attempts'" >&2; exit 2; }
[[ "$delay" =~ ^[0-9]+$ ]] || { echo "hub-health.sh: --delay must be whole seconds, got '$delay'" >&2; exit 2; }

# A hub that is just starting (or busy for a moment) gets several chances; only a hub that stays silent
# for about attempts x (10 s timeout + delay) is restarted.
for ((i = 1; i <= attempts; i++)); do
  if body="$(curl --fail --silent --show-error --max-time 10 "$url" 2>&1)" && [[ "$body" == "ok" ]]; then
    exit 0
  fi
  echo "hub-health: attempt=$i/$attempts url=$url result=${body:-no-answer}" >&2
  if ((i < attempts)); then
    sleep "$delay"
  fi
done

if ((dry_run)); then
  echo "hub-health: would restart unit=$unit"
  exit 0
fi
echo "hub-health: restarting unit=$unit reason=health-check-failed attempts=$attempts" >&2
systemctl restart "$unit"
