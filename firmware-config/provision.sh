#!/usr/bin/env bash
# Haven provisioning: turns a fresh Raspberry Pi OS (role hub) or Debian (role coordinator) into a Haven
# host: packages, the haven users, /opt/haven/haven.jar, /etc/haven config, systemd units, enabled
# services. Idempotent: a second run changes nothing that is already right, never overwrites a config
# file that exists (local settings), and restarts a service only when its jar or unit changed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
units_src="$repo/systemd"

role=""
root=""
jar="$repo/hub/app/target/haven.jar"
dry_run=0
with_packages=1
list_packages=0

usage() {
  cat <<'USAGE'
Usage: provision.sh --role hub|coordinator [--jar PATH] [--root DIR] [--dry-run] [--no-packages]
                    [--list-packages] [--help]

Installs Haven on this machine (or on a mounted image with --root) and enables its services.

  --role hub           classroom Raspberry Pi: Java, Chromium, cage; haven-hub, haven-kiosk and the
                       health-check timer; config.txt fragment, Chromium policy, hardware watchdog
  --role coordinator   school server: Java, Mosquitto; haven-coordinator and the broker config
  --jar PATH           the Haven jar to install (default: hub/app/target/haven.jar of this checkout)
  --root DIR           prefix every path with DIR (a mounted Raspberry Pi OS image); packages are then
                       installed with chroot (an arm64 image on an x86 machine needs qemu-user-static),
                       and services are enabled with systemctl --root, not started
  --dry-run            print every action without doing any of it (writes nothing, anywhere)
  --no-packages        skip apt-get (packages installed some other way)
  --list-packages      print the Debian packages the role needs, one a line, and exit (an image
                       builder preinstalls them; the arm64 CI step keys its rootfs cache on them)
  --help               show this help

Config files already in /etc/haven are kept. Afterwards: put the hub's broker password and the
coordinator's public key in /etc/haven/hub.yaml (haven provision-hub prints both), see docs/INSTALL-PI.md and
docs/INSTALL-COORDINATOR.md.
USAGE
}

say() { printf 'provision: %s\n' "$*"; }
die() { printf 'provision: %s\n' "$*" >&2; exit 1; }

# The Debian packages of the role (also printed by --list-packages).
wanted=()
wanted_packages() {
  wanted=(openjdk-21-jre-headless curl)
  if [[ "$role" == hub ]]; then
    # chromium + cage: the kiosk; nftables: the isolation backend when the hub is the classroom gateway;
    # espeak-ng: "Read it to me" offline; fonts-dejavu-core: the font the kiosk's symbols are checked against;
    # fonts-lohit-guru (57 KB): Punjabi's Gurmukhi; fonts-sil-lateef (1.2 MB): Urdu, whose ہ ے ۔ DejaVu Sans
    # lacks (KioskGlyphsTest).
    wanted+=(chromium cage nftables espeak-ng fonts-dejavu-core fonts-lohit-guru fonts-sil-lateef)
  else
    # mosquitto-clients brings mosquitto_pub/sub for checks; mosquitto_passwd comes with mosquitto.
    wanted+=(mosquitto mosquitto-clients)
  fi
}

while (($#)); do
  case "$1" in
    --role) role="${2:?--role needs hub or coordinator}"; shift 2 ;;
    --jar) jar="${2:?--jar needs a path}"; shift 2 ;;
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    --no-packages) with_packages=0; shift ;;
    --list-packages) list_packages=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

case "$role" in
  hub|coordinator) ;;
  "") die "--role hub|coordinator is required (see --help)" ;;
  *) die "--role must be hub or coordinator, got '$role'" ;;
esac
if ((list_packages)); then
  wanted_packages
  printf '%s\n' "${wanted[@]}"
  exit 0
fi
[[ -f "$jar" && -r "$jar" ]] || die "jar '$jar' not found: build it (./haven build) or give --jar PATH"
if [[ -n "$root" ]]; then
  [[ -d "$root" ]] || die "--root '$root' is not a directory"
  root="$(cd "$root" && pwd)"
  [[ "$root" != "/" ]] || root=""
fi
if ((!dry_run)) && ((EUID != 0)); then
  die "must run as root to change the system (or try --dry-run)"
fi

# Every change goes through run: printed always, carried out unless --dry-run.
run() {
  if ((dry_run)); then
    printf 'would run:'
  else
    printf 'run:'
  fi
  printf ' %q' "$@"
  printf '\n'
  if ((!dry_run)); then
    "$@"
  fi
}

# The path on the target system.
t() { printf '%s%s' "$root" "$1"; }

# Numeric group id on the target (a mounted image has its own /etc/group).
gid_of() {
  local name="$1" id
  if [[ "$name" == root ]]; then
    printf '0'
    return
  fi
  id="$(awk -F: -v g="$name" '$1 == g { print $3 }' "$(t /etc/group)" 2>/dev/null || true)"
  if [[ -n "$id" ]]; then
    printf '%s' "$id"
  elif ((dry_run)); then
    printf '%s' "$name"
  else
    die "group '$name' does not exist on the target"
  fi
}

changed=0
# install_file SRC DEST MODE [GROUP]: installs (owner root) when missing or different; sets changed=1 then.
install_file() {
  local src="$1" dest="$2" mode="$3" group="${4:-root}" target
  target="$(t "$dest")"
  changed=0
  if [[ -f "$target" ]] && cmp -s "$src" "$target"; then
    say "unchanged $dest"
    return 0
  fi
  changed=1
  run install -D -m "$mode" -o 0 -g "$(gid_of "$group")" "$src" "$target"
}

# install_config SRC DEST: a config file is installed once; later runs keep the local edits.
install_config() {
  local src="$1" dest="$2" mode="$3" group="$4"
  if [[ -e "$(t "$dest")" ]]; then
    say "keeping existing $dest (local settings)"
    return 0
  fi
  install_file "$src" "$dest" "$mode" "$group"
}

# ensure_dir DIR MODE GROUP
ensure_dir() {
  local dir="$1" mode="$2" group="$3"
  if [[ -d "$(t "$dir")" ]]; then
    say "unchanged $dir/"
    return 0
  fi
  run install -d -m "$mode" -o 0 -g "$(gid_of "$group")" "$(t "$dir")"
}

# write_file DEST CONTENT: replaces DEST with CONTENT (atomically) unless it already has exactly that.
write_file() {
  local dest="$1" content="$2" target
  target="$(t "$dest")"
  if [[ -f "$target" ]] && [[ "$(cat "$target")" == "$content" ]]; then
    say "unchanged $dest"
    return 0
  fi
  if ((dry_run)); then
    say "would update $dest"
    return 0
  fi
  say "updating $dest"
  printf '%s\n' "$content" >"$target.haven-new"
  chmod --reference="$target" "$target.haven-new"
  mv "$target.haven-new" "$target"
}

packages() {
  local missing=() p admindir
  wanted_packages
  admindir="$(t /var/lib/dpkg)"
  for p in "${wanted[@]}"; do
    dpkg-query --admindir="$admindir" -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    say "packages already installed: ${wanted[*]}"
    return 0
  fi
  if ((!with_packages)); then
    say "skipping packages (--no-packages); missing: ${missing[*]}"
    return 0
  fi
  local apt=(env DEBIAN_FRONTEND=noninteractive)
  [[ -z "$root" ]] || apt=(chroot "$root" env DEBIAN_FRONTEND=noninteractive)
  run "${apt[@]}" apt-get update -q
  if ((!dry_run)) && ! "${apt[@]}" apt-cache show openjdk-21-jre-headless >/dev/null 2>&1; then
    die "openjdk-21-jre-headless is not available: use Raspberry Pi OS / Debian Trixie (13), or add a JDK 21 repository first (docs/INSTALL-PI.md)"
  fi
  run "${apt[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

users_and_dirs() {
  # Users first: the config files below belong to group haven.
  install_file "$units_src/haven.sysusers" /etc/sysusers.d/haven.conf 0644
  if [[ -n "$root" ]]; then
    run systemd-sysusers --root="$root" "$(t /etc/sysusers.d/haven.conf)"
  else
    run systemd-sysusers /etc/sysusers.d/haven.conf
  fi
  install_file "$units_src/haven.tmpfiles" /etc/tmpfiles.d/haven.conf 0644
  if [[ -n "$root" ]]; then
    run systemd-tmpfiles --create --root="$root" "$(t /etc/tmpfiles.d/haven.conf)"
  else
    run systemd-tmpfiles --create /etc/tmpfiles.d/haven.conf
  fi
}

restart_needed=0
application() {
  install_file "$jar" /opt/haven/haven.jar 0644
  ((changed == 0)) || restart_needed=1
  install_file "$repo/docs/OPERATIONS.md" /usr/share/doc/haven/OPERATIONS.md 0644
  ensure_dir /etc/haven 0750 haven
  if [[ "$role" == hub ]]; then
    install_config "$here/hub.yaml" /etc/haven/hub.yaml 0640 haven
    install_file "$here/kiosk.sh" /opt/haven/bin/kiosk.sh 0755
    install_file "$here/hub-health.sh" /opt/haven/bin/hub-health.sh 0755
  else
    install_config "$here/coordinator.yaml" /etc/haven/coordinator.yaml 0640 haven
  fi
}

units=()
units() {
  local unit
  if [[ "$role" == hub ]]; then
    units=(haven-hub.service haven-kiosk.service haven-hub-health.service haven-hub-health.timer)
  else
    units=(haven-coordinator.service)
  fi
  for unit in "${units[@]}"; do
    install_file "$units_src/$unit" "/etc/systemd/system/$unit" 0644
    ((changed == 0)) || restart_needed=1
  done
}

hub_extras() {
  install_file "$here/pam-haven-kiosk" /etc/pam.d/haven-kiosk 0644
  install_file "$here/chromium-policy.json" /etc/chromium/policies/managed/haven.json 0644
  install_file "$units_src/haven-watchdog.conf" /etc/systemd/system.conf.d/haven-watchdog.conf 0644

  local cfg="" candidate kept block
  for candidate in /boot/firmware/config.txt /boot/config.txt; do
    if [[ -f "$(t "$candidate")" ]]; then
      cfg="$candidate"
      break
    fi
  done
  if [[ -z "$cfg" ]]; then
    say "no /boot/firmware/config.txt on the target (not a Raspberry Pi OS system?): config.txt fragment not applied"
    return 0
  fi
  # Everything outside the markers is kept; the Haven block is replaced and kept last.
  kept="$(awk '/^# BEGIN haven/ { skip = 1; next } /^# END haven/ { skip = 0; next } !skip' "$(t "$cfg")")"
  block="# BEGIN haven (managed by firmware-config/provision.sh; edits inside are replaced)"$'\n'"$(cat "$here/config.txt")"$'\n'"# END haven"
  write_file "$cfg" "$kept"$'\n'"$block"
}

coordinator_extras() {
  install_file "$here/mosquitto/haven.conf" /etc/mosquitto/conf.d/haven.conf 0644
  # The ACL and password files are the site's own: created once, never overwritten.
  install_config "$here/mosquitto/acl.example" /etc/mosquitto/haven.acl 0640 mosquitto
  if [[ -e "$(t /etc/mosquitto/haven.passwd)" ]]; then
    say "keeping existing /etc/mosquitto/haven.passwd"
  else
    run install -m 0640 -o 0 -g "$(gid_of mosquitto)" /dev/null "$(t /etc/mosquitto/haven.passwd)"
  fi
  ensure_dir /etc/mosquitto/certs 0750 mosquitto
}

services() {
  local main=haven-hub.service unit enable=()
  [[ "$role" == hub ]] || main=haven-coordinator.service
  # haven-hub-health.service is started by its timer; it has no [Install] section of its own.
  for unit in "${units[@]}"; do
    [[ "$unit" == haven-hub-health.service ]] || enable+=("$unit")
  done
  if [[ -n "$root" ]]; then
    # Offline image: symlinks only; everything starts on first boot.
    run systemctl --root="$root" enable "${enable[@]}"
    return 0
  fi
  run systemctl daemon-reload
  run systemctl enable --now "${enable[@]}"
  if ((restart_needed)); then
    run systemctl restart "$main"
  fi
  if [[ "$role" == coordinator ]]; then
    if [[ -f /etc/mosquitto/certs/broker.crt && -f /etc/mosquitto/certs/broker.key ]]; then
      run systemctl reload-or-restart mosquitto.service
    else
      say "mosquitto not restarted: put haven-ca.crt, broker.crt and broker.key in /etc/mosquitto/certs first (docs/INSTALL-COORDINATOR.md)"
    fi
  fi
}

if ((dry_run)); then
  say "dry run: nothing will be changed"
fi
say "role=$role root=${root:-/} jar=$jar"
packages
users_and_dirs
application
units
if [[ "$role" == hub ]]; then
  hub_extras
else
  coordinator_extras
fi
services
if [[ "$role" == hub ]]; then
  say "done. Next: broker password and coordinator key into /etc/haven/hub.yaml (haven provision-hub on the broker host), then reboot (config.txt and the hardware watchdog apply at boot)."
else
  say "done. Next: certificates in /etc/mosquitto/certs, the coordinator's broker password, staff accounts (haven user add); see docs/INSTALL-COORDINATOR.md."
fi
