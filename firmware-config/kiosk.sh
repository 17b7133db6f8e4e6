#!/usr/bin/env bash
# Haven kiosk launcher: waits until the hub's kiosk server answers /health, then runs Chromium in kiosk
# mode under the cage Wayland compositor. Started by haven-kiosk.service as the haven-kiosk user.
set -euo pipefail

url="http://127.0.0.1:8081/"
health_url=""
wait_seconds=0
dry_run=0

usage() {
  cat <<'USAGE'
Usage: kiosk.sh [--url URL] [--health-url URL] [--wait SECONDS] [--dry-run] [--help]

Waits for the Haven hub's kiosk server, then runs Chromium full-screen under cage.

  --url URL          page to show (default http://127.0.0.1:8081/)
  --health-url URL   checked before starting (default: URL with /health)
  --wait SECONDS     give up after this long; 0 waits for ever (default 0)
  --dry-run          print the command that would run instead of running it
  --help             show this help

Dev tools, downloads, printing and navigation away from the hub are switched off by the managed
Chromium policy /etc/chromium/policies/managed/haven.json (Chromium has no command-line switch
that disables dev tools).
USAGE
}

while (($#)); do
  case "$1" in
    --url) url="${2:?--url needs a value}"; shift 2 ;;
    --health-url) health_url="${2:?--health-url needs a value}"; shift 2 ;;
    --wait) wait_seconds="${2:?--wait needs a value}"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "kiosk.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$wait_seconds" =~ ^[0-9]+$ ]] || { echo "kiosk.sh: --wait must be a whole number of seconds, got '$wait_seconds'" >&2; exit 2; }
[[ -n "$health_url" ]] || health_url="${url%/}/health"

# Debian and current Raspberry Pi OS call it chromium; older Raspberry Pi OS images chromium-browser.
browser=""
for candidate in chromium chromium-browser; do
  if command -v "$candidate" >/dev/null 2>&1; then
    browser="$(command -v "$candidate")"
    break
  fi
done
if [[ -z "$browser" ]]; then
  if ((dry_run)); then
    browser=chromium
  else
    echo "kiosk.sh: Chromium is not installed (apt-get install chromium)" >&2
    exit 1
  fi
fi

# A fresh profile on every start (haven-kiosk.service gives a private /tmp): no session restore bubble
# after a power cut, and nothing a pupil typed or visited outlives the browser.
if ((dry_run)); then
  profile="${TMPDIR:-/tmp}/haven-kiosk.XXXXXX"
else
  profile="$(mktemp -d "${TMPDIR:-/tmp}/haven-kiosk.XXXXXX")"
fi

flags=(
  --kiosk
  --noerrdialogs
  --disable-pinch
  --overscroll-history-navigation=0
  --password-store=basic
  --no-first-run
  --no-default-browser-check
  --disable-background-networking
  --disable-component-update
  --hide-crash-restore-bubble
  --ozone-platform=wayland
  --user-data-dir="$profile"
)

if ((dry_run)); then
  printf 'would wait for %s\n' "$health_url"
  printf 'would run: cage -d --'
  printf ' %q' "$browser" "${flags[@]}" "$url"
  printf '\n'
  exit 0
fi

# The hub takes a few seconds to start (longer on first boot); Chromium pointed at a closed port would
# show an error page to the class instead of the kiosk.
started=$SECONDS
next_note=0
until curl --fail --silent --show-error --max-time 2 --output /dev/null "$health_url" 2>/dev/null; do
  waited=$((SECONDS - started))
  if ((wait_seconds > 0 && waited >= wait_seconds)); then
    echo "kiosk.sh: $health_url did not answer within ${wait_seconds}s; giving up" >&2
    exit 1
  fi
  if ((waited >= next_note)); then
    echo "kiosk.sh: waiting for the hub at $health_url (${waited}s so far)" >&2
    next_note=$((waited + 30))
  fi
  sleep 1
done

# -d: no client-side decorations. No -s: pupils cannot switch to another virtual terminal.
exec cage -d -- "$browser" "${flags[@]}" "$url"
