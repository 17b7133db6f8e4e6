#!/usr/bin/env bash
# Haven's arm64 CI step: the hub on the Pi's own software stack (Debian trixie arm64, its OpenJDK 21,
# provisioned by provision.sh) run under qemu-user on an x86 CI machine. Builds, or restores from a cache,
# an arm64 rootfs with the packages provision.sh --role hub installs, provisions it, then checks inside it
# (chroot): Java 21, the jar, the systemd units, a hub talking to a Mosquitto on the host's loopback, the
# GPIO provider choice (also on a faked Raspberry Pi) and the kiosk launcher. See docs/INSTALL-PI.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"

suite=trixie
arch=arm64
# Bumped when the way the rootfs is built changes, so that old caches are not reused.
recipe=1
# Not installed on a Pi by provision.sh, needed by the checks: systemd-analyze runs inside the target.
ci_packages=(systemd)
mirror="${HAVEN_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${HAVEN_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
cache_dir="${HAVEN_ROOTFS_CACHE:-/var/cache/haven-ci}"
max_age_days="${HAVEN_ROOTFS_MAX_AGE_DAYS:-30}"
# Start-to-ready of the hub took 58-79 s under qemu in the trial run (3.2 s natively): a generous bound.
ready_seconds="${HAVEN_ARM64_READY_SECONDS:-300}"
jar="${HAVEN_JAR:-}"
keep=""
rebuild=0
# A throwaway password for loopback-only test accounts on a broker this script starts and stops.
test_password="haven-ci-only"

usage() {
  cat <<'USAGE'
Usage: firmware-config/ci-arm64.sh [--jar PATH] [--cache DIR] [--rebuild] [--keep DIR] [--help]

Runs the Haven hub on Debian trixie arm64 with OpenJDK 21 under qemu-user (chroot), provisioned by
provision.sh --role hub, and checks it: java -version, haven --help, systemd-analyze verify/security,
MQTT presence and a simulated press against a Mosquitto on 127.0.0.1, the GPIO provider on a plain and
on a faked Raspberry Pi, and the kiosk launcher (dry run). Must run as root (chroot, mounts).

  --jar PATH     the jar to install (default: $HAVEN_JAR, else hub/app/target/haven.jar of this
                 checkout)
  --cache DIR    where the rootfs archive is kept (default: $HAVEN_ROOTFS_CACHE or /var/cache/haven-ci);
                 reused while the package list is unchanged and the archive is younger than
                 $HAVEN_ROOTFS_MAX_AGE_DAYS (default 30) days
  --rebuild      build the rootfs afresh even if a cached one fits
  --keep DIR     leave the provisioned rootfs in DIR (must not exist) instead of deleting it
  --help         show this help

Needs: mmdebstrap + arch-test (cold only), qemu-user-static + binfmt-support (on x86), zstd, mosquitto,
mosquitto-clients, jq, curl, iproute2. Under CI=true a missing archive or emulation fails the step;
otherwise it is reported as skipped. Environment: HAVEN_DEBIAN_MIRROR, HAVEN_DEBIAN_SECURITY_MIRROR,
HAVEN_ARM64_READY_SECONDS (default 300).
USAGE
}

say() { printf 'ci-arm64: %s\n' "$*"; }
die() { printf 'ci-arm64: FAILED: %s\n' "$*" >&2; exit 1; }

# The machine cannot run the step at all (no emulation, no archive). In CI that is a failure: a green
# run must mean the arm64 stack was checked. On a developer's machine it is reported and skipped.
unavailable() {
  if [[ "${CI:-}" == true ]]; then
    die "$* (CI=true: this step must run; see docs/INSTALL-PI.md, \"The arm64 CI step\")"
  fi
  printf 'ci-arm64: SKIPPED: %s (not CI; set CI=true to make this an error)\n' "$*" >&2
  exit 0
}

while (($#)); do
  case "$1" in
    --jar) jar="${2:?--jar needs a path}"; shift 2 ;;
    --cache) cache_dir="${2:?--cache needs a directory}"; shift 2 ;;
    --rebuild) rebuild=1; shift ;;
    --keep) keep="${2:?--keep needs a directory}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

if [[ -z "$jar" ]]; then
  jar="$repo/hub/app/target/haven.jar"
fi
[[ -n "$jar" && -f "$jar" ]] || die "no jar: set HAVEN_JAR or build it first (./haven build); looked for hub/app/target/haven.jar"
jar="$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")"
((EUID == 0)) || die "must run as root (mmdebstrap, chroot and mounts)"
[[ -z "$keep" || ! -e "$keep" ]] || die "--keep '$keep' already exists"
[[ "$max_age_days" =~ ^[0-9]+$ ]] || die "HAVEN_ROOTFS_MAX_AGE_DAYS must be a whole number, got '$max_age_days'"
[[ "$ready_seconds" =~ ^[0-9]+$ ]] || die "HAVEN_ARM64_READY_SECONDS must be a whole number, got '$ready_seconds'"

for tool in zstd tar unshare chroot mosquitto mosquitto_sub mosquitto_passwd jq curl ss sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || unavailable "'$tool' is not installed (.ci/run installs the step's packages)"
done

# --- Emulation (host side: the binfmt_misc registration is global, so it is set up before unshare) ---
setup_emulation() {
  if [[ "$(uname -m)" == aarch64 ]]; then
    say "emulation: none needed (this machine is aarch64)"
    return 0
  fi
  if [[ ! -e /proc/sys/fs/binfmt_misc/status ]]; then
    # binfmt_misc is built into the kernel of most CI machines but not always mounted in a container.
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null \
      || unavailable "binfmt_misc is not mounted and cannot be mounted (mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc)"
  fi
  if [[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
    command -v update-binfmts >/dev/null 2>&1 || unavailable "update-binfmts is missing (apt-get install binfmt-support qemu-user-static)"
    [[ -e /usr/share/binfmts/qemu-aarch64 ]] || unavailable "no qemu-aarch64 binfmt entry (apt-get install qemu-user-static)"
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || unavailable "update-binfmts --enable qemu-aarch64 failed"
  fi
  local entry=/proc/sys/fs/binfmt_misc/qemu-aarch64
  [[ -e "$entry" ]] || unavailable "qemu-aarch64 is not registered with binfmt_misc"
  if ! grep -qx enabled "$entry"; then
    # update-binfmts says "already enabled" when only the kernel's entry was switched off.
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
    grep -qx enabled "$entry" || echo 1 >"$entry" 2>/dev/null || true
  fi
  grep -qx enabled "$entry" || unavailable "the qemu-aarch64 binfmt entry is disabled and could not be enabled (update-binfmts --enable qemu-aarch64)"
  # F: the kernel opens the interpreter when the entry is registered, so it also works inside the chroot,
  # where /usr/libexec/qemu-binfmt does not exist. Without it every process in the rootfs fails to start.
  grep -q '^flags:.*F' "$entry" || unavailable "the qemu-aarch64 binfmt entry lacks the F (fix binary) flag; use Debian's qemu-user-static"
  say "emulation: $(sed -n 's/^interpreter //p' "$entry") ($(sed -n 's/^flags: //p' "$entry"))"
}

if [[ -z "${HAVEN_ARM64_NAMESPACE:-}" ]]; then
  setup_emulation
  # Everything below runs in a private mount namespace: the chroot's /proc, /dev and /sys mounts (and the
  # faked cpuinfo) vanish with the process, even if it is killed, and are never seen by the host.
  export HAVEN_ARM64_NAMESPACE=1 HAVEN_ARM64_STARTED="${EPOCHREALTIME%.*}"
  args=(--jar "$jar" --cache "$cache_dir")
  ((rebuild == 0)) || args+=(--rebuild)
  [[ -z "$keep" ]] || args+=(--keep "$keep")
  exec unshare --mount --propagation private -- bash "${BASH_SOURCE[0]}" "${args[@]}"
fi

started="${HAVEN_ARM64_STARTED:-${EPOCHREALTIME%.*}}"
phase_started=0
timings=()
phase() {
  phase_started="${EPOCHREALTIME%.*}"
  say "--- $*"
}
phase_done() {
  local took=$(( ${EPOCHREALTIME%.*} - phase_started ))
  timings+=("$(printf '%-36s %4d s' "$1" "$took")")
}

work="$(mktemp -d "${TMPDIR:-/var/tmp}/haven-arm64.XXXXXX")"
rootfs="$work/rootfs"
hub_pid=""
broker_pid=""
watch_pid=""

stop_pid() {
  local pid="$1" seconds="$2"
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 "$seconds"); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$? log
  if ((status != 0)); then
    for log in "$work"/hub*.log; do
      [[ -f "$log" ]] || continue
      echo "ci-arm64: last lines of $(basename "$log"):" >&2
      tail -n 40 "$log" >&2
    done
  fi
  stop_pid "$hub_pid" 30
  stop_pid "$watch_pid" 5
  stop_pid "$broker_pid" 10
  # Unmount before deleting: a bind-mounted /dev under the rootfs must never be recursed into.
  if [[ -d "$rootfs" ]]; then
    umount -R "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/run" "$rootfs/tmp" 2>/dev/null || true
  fi
  if grep -q " ${work}/" /proc/self/mountinfo; then
    echo "ci-arm64: mounts remain under $work; not deleting it" >&2
  elif [[ -n "$keep" && -d "$rootfs" ]]; then
    mv "$rootfs" "$keep"
    echo "ci-arm64: rootfs kept in $keep" >&2
    rm -rf --one-file-system "$work"
  else
    rm -rf --one-file-system "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- The rootfs: cached per package list ---
mapfile -t hub_packages < <(bash "$here/provision.sh" --role hub --list-packages)
((${#hub_packages[@]})) || die "provision.sh --role hub --list-packages printed nothing"
package_list="$(printf '%s\n' "${hub_packages[@]}" "${ci_packages[@]}" | sort -u)"
key="$(printf 'recipe=%s suite=%s arch=%s\n%s\n' "$recipe" "$suite" "$arch" "$package_list" | sha256sum | cut -c1-16)"
archive="$cache_dir/hub-$suite-$arch-$key.tar.zst"
say "packages: $(tr '\n' ' ' <<<"$package_list")(cache key $key)"

build_rootfs() {
  # Checked first so that an unreachable archive is reported as such, not as an mmdebstrap failure.
  for tool in mmdebstrap arch-test; do
    command -v "$tool" >/dev/null 2>&1 || unavailable "$tool is not installed (apt-get install mmdebstrap arch-test)"
  done
  curl --fail --silent --show-error --max-time 30 --output /dev/null "$mirror/dists/$suite/InRelease" \
    || unavailable "the Debian archive $mirror does not serve $suite (set HAVEN_DEBIAN_MIRROR)"
  local include
  include="$(paste -sd, <<<"$package_list")"
  mkdir -p "$rootfs"
  # The apt variant (Essential + apt) plus the hub's packages, without Recommends, as provision.sh
  # installs them. Nothing is left out to save space: with /usr/share/man excluded, the JRE's postinst
  # fails (update-alternatives cannot make its man page link).
  mmdebstrap --arch="$arch" --variant=apt --include="$include" "$suite" "$rootfs" \
    "deb $mirror $suite main" "deb $mirror $suite-updates main" "deb $security_mirror $suite-security main" \
    || die "mmdebstrap could not build the $suite/$arch rootfs (output above)"
}

archive_rootfs() {
  local partial="$archive.$$.partial"
  mkdir -p "$cache_dir"
  tar --create --numeric-owner --xattrs --xattrs-include='*' --use-compress-program='zstd -T0 -3 -q' \
    --file "$partial" -C "$rootfs" .
  mv "$partial" "$archive"
  # One archive per package list is enough; older lists are never used again.
  find "$cache_dir" -maxdepth 1 -name "hub-$suite-$arch-*.tar.zst" ! -name "$(basename "$archive")" -delete
}

phase "rootfs ($suite $arch)"
if ((rebuild == 0)) && [[ -f "$archive" ]] && [[ -z "$(find "$archive" -mtime +"$max_age_days" -print)" ]]; then
  say "restoring $archive ($(du -h "$archive" | cut -f1))"
  mkdir -p "$rootfs"
  tar --extract --numeric-owner --xattrs --xattrs-include='*' --use-compress-program='zstd -d -q' \
    --file "$archive" -C "$rootfs"
  phase_done "rootfs restored from cache"
else
  say "building with mmdebstrap from $mirror (cold: several minutes under emulation)"
  build_rootfs
  phase_done "rootfs built (mmdebstrap)"
  phase "rootfs archived to $archive"
  archive_rootfs
  phase_done "rootfs archived (tar + zstd)"
fi
rootfs_size="$(du -sh --one-file-system "$rootfs" | cut -f1)"
archive_size="$(du -h "$archive" | cut -f1)"
chroot "$rootfs" /bin/true 2>/dev/null || unavailable "arm64 programs do not run in the rootfs (qemu-user/binfmt_misc)"
say "rootfs: $rootfs_size unpacked, archive $archive_size, $(grep -c '^Package:' "$rootfs/var/lib/dpkg/status") packages"

# --- provision.sh into the rootfs, twice: the second run must change nothing ---
phase "provision.sh --role hub --root"
bash "$here/provision.sh" --role hub --root "$rootfs" --jar "$jar" >"$work/provision-1.log" 2>&1 \
  || { cat "$work/provision-1.log" >&2; die "provision.sh --role hub --root failed (output above)"; }
grep -E '^provision: (packages|done)' "$work/provision-1.log" || true
bash "$here/provision.sh" --role hub --root "$rootfs" --jar "$jar" >"$work/provision-2.log" 2>&1 \
  || { cat "$work/provision-2.log" >&2; die "the second provision.sh run failed (output above)"; }
if grep -E '^run: install|^provision: updating' "$work/provision-2.log"; then
  die "the second provision.sh run changed files (above): provision.sh is not idempotent"
fi
say "second provision.sh run changed nothing"
phase_done "provision.sh (twice)"

# --- The chroot's kernel interfaces: private to this mount namespace ---
mount -t proc proc "$rootfs/proc"
mount --rbind /sys "$rootfs/sys"
mount --rbind /dev "$rootfs/dev"
mount -t tmpfs -o mode=0755 tmpfs "$rootfs/run"
# A fresh /tmp, as PrivateTmp=yes gives the service; sqlite-jdbc and Pi4J unpack their native code here.
mount -t tmpfs -o mode=1777 tmpfs "$rootfs/tmp"
in_root() { chroot "$rootfs" "$@"; }

# --- Java and the jar ---
phase "java"
java_version="$(in_root java -version 2>&1)" || die "java -version failed in the rootfs: $java_version"
printf '%s\n' "$java_version" | sed 's/^/  /'
java_major="$(awk -F'"' '/version/ { split($2, v, "."); print v[1]; exit }' <<<"$java_version")"
[[ "$java_major" == 21 ]] || die "java in the rootfs is version $java_major, expected 21 (openjdk-21-jre-headless)"
say "java: $(in_root readlink -f /usr/bin/java)"
help="$(in_root java -jar /opt/haven/haven.jar --help 2>&1)" || die "java -jar /opt/haven/haven.jar --help failed: $help"
grep -q '^Usage: haven' <<<"$help" || die "haven --help printed no usage: $help"
say "haven --help: $(head -1 <<<"$help")"
phase_done "java -version, haven --help"

# --- The units, checked by the target's own systemd ---
phase "systemd units"
say "target: $(in_root systemd-analyze --version | head -1)"
mapfile -t unit_paths < <(find "$rootfs/etc/systemd/system" -maxdepth 1 -type f \( -name 'haven-*.service' -o -name 'haven-*.timer' \) \
  | sed "s|^$rootfs||" | sort)
verify="$(in_root systemd-analyze verify "${unit_paths[@]}" 2>&1 || true)"
# In the target every path and user exists, so fewer complaints are tolerated than on the CI host: only
# the units this chroot has no use for (no boot: getty, logind, plymouth are absent from the rootfs).
bad="$(grep -vE "Unit (getty@tty1|plymouth-quit-wait|systemd-logind|dbus|time-sync)[^ ]* not found|Unit .*\.(target|socket) not found" <<<"$verify" \
  | grep -iE "unknown|invalid|error|failed|ignoring|not found|not executable" || true)"
if [[ -n "$verify" ]]; then
  printf '  verify: %s\n' "${verify//$'\n'/$'\n'  verify: }"
fi
[[ -z "$bad" ]] || die "systemd-analyze verify in the rootfs complained (above)"
say "systemd-analyze verify: ${#unit_paths[@]} units clean"
report="$(in_root systemd-analyze security --offline=yes --no-pager /etc/systemd/system/haven-hub.service 2>&1 || true)"
score="$(sed -n 's/.*Overall exposure level for haven-hub\.service: \([0-9][0-9]*\.[0-9]\).*/\1/p' <<<"$report")"
[[ -n "$score" ]] || { printf '%s\n' "$report" >&2; die "no exposure score for haven-hub.service in the rootfs"; }
say "exposure of haven-hub.service: $score (limit 3.0, as on the host)"
if awk -v s="$score" 'BEGIN { exit !(s > 3.0) }'; then
  die "haven-hub.service is exposed more than 3.0 in the target (systemd-analyze security --offline=yes)"
fi
# No limit for the kiosk (Chromium brings its own sandbox; the unit says why each one is relaxed), as on the host.
kiosk_score="$(in_root systemd-analyze security --offline=yes --no-pager /etc/systemd/system/haven-kiosk.service 2>&1 \
  | sed -n 's/.*Overall exposure level for haven-kiosk\.service: \([0-9][0-9]*\.[0-9]\).*/\1/p' || true)"
say "exposure of haven-kiosk.service: ${kiosk_score:-none} (no limit)"
phase_done "systemd-analyze verify, security"

# --- A Mosquitto on the host's loopback, on a free port ---
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if [[ -z "$(ss -Htln "sport = :$port")" ]]; then
      printf '%s' "$port"
      return 0
    fi
  done
  die "no free TCP port found on 127.0.0.1 after 50 tries"
}

site="$(sed -n 's/^site: *\([a-z0-9-]*\).*/\1/p' "$rootfs/etc/haven/hub.yaml")"
room="$(sed -n 's/^room: *\([a-z0-9-]*\).*/\1/p' "$rootfs/etc/haven/hub.yaml")"
hub_user="$(sed -n 's/^  username: *\([A-Za-z0-9._-]*\).*/\1/p' "$rootfs/etc/haven/hub.yaml")"
[[ -n "$site" && -n "$room" && -n "$hub_user" ]] || die "/etc/haven/hub.yaml: site, room or mqtt.username not found"
topic_root="haven/v1/$site/$room"

phase "mosquitto on 127.0.0.1"
mkdir -p "$work/broker"
mosquitto_passwd -c -b "$work/broker/passwd" "$hub_user" "$test_password" 2>/dev/null
mosquitto_passwd -b "$work/broker/passwd" ci-observer "$test_password" 2>/dev/null
broker_port=""
for _ in 1 2 3; do
  port="$(free_port)"
  cat >"$work/broker/mosquitto.conf" <<CONF
per_listener_settings false
listener $port 127.0.0.1
allow_anonymous false
password_file $work/broker/passwd
persistence false
log_dest file $work/broker/mosquitto.log
log_type error
log_type warning
log_type notice
log_type information
connection_messages true
CONF
  # Started as root, mosquitto drops to the mosquitto user; it must read its files.
  chown -R mosquitto: "$work/broker" 2>/dev/null || true
  chmod 0755 "$work"
  mosquitto -c "$work/broker/mosquitto.conf" >"$work/broker/stdout.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 1 50); do
    [[ -z "$(ss -Htln "sport = :$port")" ]] || break
    kill -0 "$broker_pid" 2>/dev/null || break
    sleep 0.2
  done
  if [[ -n "$(ss -Htln "sport = :$port")" ]] && kill -0 "$broker_pid" 2>/dev/null; then
    broker_port="$port"
    break
  fi
  stop_pid "$broker_pid" 5
  broker_pid=""
done
[[ -n "$broker_port" ]] || { cat "$work/broker/"*.log >&2 || true; die "mosquitto did not start on 127.0.0.1 (log above)"; }
say "mosquitto $(mosquitto -h 2>/dev/null | sed -n 's/^mosquitto version \([0-9.]*\).*/\1/p') on 127.0.0.1:$broker_port (pid $broker_pid)"
phase_done "mosquitto started"

sub() { mosquitto_sub -h 127.0.0.1 -p "$broker_port" -u ci-observer -P "$test_password" "$@"; }

# Every message of this room, from before the hub starts to after it stops.
# Started directly, not through sub(): $! must be mosquitto_sub itself, or stopping it would leave it running.
mosquitto_sub -h 127.0.0.1 -p "$broker_port" -u ci-observer -P "$test_password" \
  -t "$topic_root/#" -F '%r %t %p' -W 1200 >"$work/mqtt.log" 2>"$work/mqtt.err" &
watch_pid=$!
for _ in $(seq 1 50); do
  grep -q "as auto-.* u'ci-observer'\|u'ci-observer'" "$work/broker/mosquitto.log" 2>/dev/null && break
  sleep 0.2
done
grep -q "u'ci-observer'" "$work/broker/mosquitto.log" || die "the MQTT observer did not connect (see $work/broker/mosquitto.log)"

# --- The hub role, as haven-hub.service would start it ---
kiosk_port="$(free_port)"
config="$rootfs/etc/haven/hub.yaml"
# The provisioned file as a school would edit it: the broker address, the account's password, and (the
# CI machine is shared) a free kiosk port instead of 8081.
sed -i -e "s|^  uri: .*|  uri: tcp://127.0.0.1:$broker_port|" \
  -e "s|^  password: .*|  password: \"$test_password\"|" \
  -e "s|^  port: 8081$|  port: $kiosk_port|" "$config"
if ! grep -q "^  uri: tcp://127.0.0.1:$broker_port$" "$config" || ! grep -q "^  port: $kiosk_port$" "$config"; then
  die "/etc/haven/hub.yaml no longer has the mqtt.uri / http.port lines this step edits"
fi

# ExecStart of the installed unit, continuation lines joined; HAVEN_JAVA_OPTS (hub.env) is empty here.
exec_start="$(awk '/^ExecStart=/ { on = 1; sub(/^ExecStart=/, "") }
  on { more = sub(/\\$/, ""); gsub(/[$]HAVEN_JAVA_OPTS/, ""); line = line " " $0; if (!more) { print line; exit } }' \
  "$rootfs/etc/systemd/system/haven-hub.service")"
read -ra hub_command <<<"$exec_start"
[[ "${hub_command[0]:-}" == /usr/bin/java ]] || die "haven-hub.service ExecStart does not start /usr/bin/java: $exec_start"

# Numeric ids from the target's own files: chroot would otherwise look names up on the host.
id_in_root() { awk -F: -v n="$2" '$1 == n { print $3 }' "$rootfs/etc/$1"; }
haven_uid="$(id_in_root passwd haven)"
haven_gid="$(id_in_root group haven)"
gpio_gid="$(id_in_root group gpio)"
kiosk_uid="$(id_in_root passwd haven-kiosk)"
kiosk_gid="$(id_in_root group haven-kiosk)"
[[ -n "$haven_uid" && -n "$haven_gid" && -n "$gpio_gid" && -n "$kiosk_uid" && -n "$kiosk_gid" ]] \
  || die "provision.sh did not create the users haven, haven-kiosk and the group gpio in the rootfs"

# start_hub LOG: as the unit's User=/Group=/SupplementaryGroups=, in its WorkingDirectory, clean environment.
start_hub() {
  local log="$1"
  chroot --userspec="$haven_uid:$haven_gid" --groups="$gpio_gid" "$rootfs" /usr/bin/env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
    /bin/sh -c 'cd /var/lib/haven && exec "$@"' hub "${hub_command[@]}" >"$log" 2>&1 &
  hub_pid=$!
}

# wait_for LOG REGEX SECONDS: true once LOG matches, false when the hub exits or time is up.
wait_for() {
  local log="$1" regex="$2" seconds="$3" waited=0
  until grep -qE "$regex" "$log" 2>/dev/null; do
    kill -0 "$hub_pid" 2>/dev/null || return 1
    ((waited < seconds)) || return 1
    sleep 1
    waited=$((waited + 1))
  done
}

phase "hub (provider auto)"
say "starting: ${hub_command[*]}"
start_hub "$work/hub.log"
if ! wait_for "$work/hub.log" '^haven hub .* ready' "$ready_seconds"; then
  cat "$work/hub.log" >&2
  die "the hub did not become ready within ${ready_seconds}s (log above)"
fi
phase_done "hub start to ready"
gpio_line="$(grep -m1 'gpio provider=' "$work/hub.log" || true)"
[[ -n "$gpio_line" ]] || die "the hub logged no 'gpio provider=' line"
grep -q 'provider=mock' <<<"$gpio_line" || die "with gpio.provider auto and no GPIO chip the hub must use the mock provider: $gpio_line"
say "gpio: ${gpio_line#*gpio }"

# sqlite-jdbc unpacks its native library into java.io.tmpdir; the one it loaded must be linux-aarch64.
sqlite_lib="$(find "$rootfs/tmp" -maxdepth 2 -name '*sqlitejdbc*.so' -print -quit)"
[[ -n "$sqlite_lib" ]] || die "sqlite-jdbc unpacked no native library into /tmp of the rootfs"
# ELF e_machine (bytes 18-19, little endian): 0xb7 is AArch64.
machine="$(od -An -tx1 -j18 -N2 "$sqlite_lib" | tr -d ' ')"
[[ "$machine" == b700 ]] || die "sqlite-jdbc loaded ${sqlite_lib#"$rootfs"}, which is not an AArch64 library (e_machine $machine)"
grep -q "$(basename "$sqlite_lib")" "/proc/$hub_pid/maps" || die "the hub has not mapped ${sqlite_lib#"$rootfs"}"
say "sqlite-jdbc: ${sqlite_lib#"$rootfs"} (AArch64 ELF, mapped by the hub)"

phase "mqtt: presence and a simulated press"
waited=0
until grep -q "^[01] $topic_root/status .*\"online\"" "$work/mqtt.log"; do
  ((waited < 60)) || die "the hub published no online status within 60 s of ready"
  sleep 1
  waited=$((waited + 1))
done
status="$(sub -t "$topic_root/status" -C 1 -W 30 -F '%r %p' || true)"
[[ "${status%% *}" == 1 ]] || die "no retained status on $topic_root/status (got '${status:-nothing}')"
jq -e '.state == "online"' >/dev/null <<<"${status#* }" || die "the retained status is not online: ${status#* }"
say "retained status: ${status#* }"
pressed="$(in_root curl --fail --silent --show-error --max-time 30 -X POST "http://127.0.0.1:$kiosk_port/api/sim/button")" \
  || die "POST /api/sim/button on the kiosk port failed"
say "POST /api/sim/button: $pressed"
waited=0
until grep -q " $topic_root/event/worry.reported " "$work/mqtt.log"; do
  ((waited < 120)) || die "no worry.reported on $topic_root/event/worry.reported within 120 s of the press"
  sleep 1
  waited=$((waited + 1))
done
event="$(grep -m1 " $topic_root/event/worry.reported " "$work/mqtt.log" | cut -d' ' -f3-)"
# The contract (docs/asyncapi.yaml, EventEnvelope + WorryReportedData): exactly these fields, these forms.
jq -e --arg site "$site" --arg room "$room" '
  (keys == ["at", "data", "id", "room", "seq", "site", "type"])
  and (.id | test("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"))
  and (.seq | type == "number" and . >= 1 and floor == .)
  and .type == "worry.reported" and .site == $site and .room == $room
  and (.at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$"))
  and (.data | (keys - ["category", "computer", "presses"]) == [] and .presses == 1)' >/dev/null <<<"$event" \
  || die "worry.reported does not follow the contract (docs/asyncapi.yaml): $event"
say "worry.reported follows the contract"
phase_done "presence, press to worry.reported"

phase "hub stop"
# The unit's AppCDS flags (-XX:+AutoCreateSharedArchive) make the first clean stop write the archive of the
# hub's classes (systemd/haven-hub.service). Native on a Pi that is seconds; under qemu-user it is the JVM's
# class dumper emulated, minutes: that stop gets its own, longer limit, and must leave the archive behind.
archive="$rootfs/var/lib/haven/hub.jsa"
stop_seconds=60
first_stop=0
if [[ ! -s "$archive" ]]; then
  first_stop=1
  stop_seconds="${HAVEN_ARM64_FIRST_STOP_SECONDS:-420}"
fi
kill -TERM "$hub_pid"
waited=0
while kill -0 "$hub_pid" 2>/dev/null; do
  if ((waited >= stop_seconds)); then
    tail -n 20 "$work/hub.log" >&2
    die "the hub did not stop within ${stop_seconds} s of SIGTERM (first stop, writing the AppCDS archive: $first_stop)"
  fi
  sleep 1
  waited=$((waited + 1))
done
if ((first_stop)); then
  [[ -s "$archive" ]] || die "the first clean stop wrote no AppCDS archive at /var/lib/haven/hub.jsa"
  say "first stop wrote the AppCDS archive in ${waited} s under emulation ($(du -h "$archive" | cut -f1))"
fi
hub_exit=0
wait "$hub_pid" || hub_exit=$?
hub_pid=""
[[ "$hub_exit" == 143 ]] || die "the hub exited $hub_exit on SIGTERM; haven-hub.service expects 143 (SuccessExitStatus)"
waited=0
until grep -q "^[01] $topic_root/status .*\"offline\"" "$work/mqtt.log"; do
  ((waited < 10)) || die "the hub published no offline status when stopped"
  sleep 1
  waited=$((waited + 1))
done
# A live subscriber sees the retain flag cleared (MQTT 3.1.1, 3.3.1.3); a new one must get it retained.
status="$(sub -t "$topic_root/status" -C 1 -W 10 -F '%r %p' || true)"
if [[ "${status%% *}" != 1 ]] || ! jq -e '.state == "offline"' >/dev/null <<<"${status#* }"; then
  die "the retained status after the stop is not offline (got '${status:-nothing}')"
fi
say "retained status after stop: ${status#* }"
phase_done "hub stop (SIGTERM)"

# --- A faked Raspberry Pi 4 with gpio.provider: gpiod and no GPIO chip ---
phase "hub on a faked Pi 4 (provider gpiod)"
cat >"$work/cpuinfo" <<'CPUINFO'
processor	: 0
BogoMIPS	: 108.00
Features	: fp asimd evtstrm crc32 cpuid
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x0
CPU part	: 0xd08
CPU revision	: 3

Hardware	: BCM2835
Revision	: c03114
Serial		: 100000000000c1c1
Model		: Raspberry Pi 4 Model B Rev 1.4
CPUINFO
mount --bind "$work/cpuinfo" "$rootfs/proc/cpuinfo"
sed -i 's/^  provider: .*/  provider: gpiod/' "$config"
grep -q '^  provider: gpiod$' "$config" || die "/etc/haven/hub.yaml no longer has the gpio.provider line this step edits"
start_hub "$work/hub-gpiod.log"
waited=0
while kill -0 "$hub_pid" 2>/dev/null; do
  ((waited < ready_seconds)) || { cat "$work/hub-gpiod.log" >&2; die "with provider gpiod and no GPIO chip the hub kept running for ${ready_seconds}s"; }
  sleep 1
  waited=$((waited + 1))
done
gpiod_exit=0
wait "$hub_pid" || gpiod_exit=$?
hub_pid=""
umount "$rootfs/proc/cpuinfo"
# 2: HavenCli's exit status for a configuration the machine cannot satisfy (one line, no stack trace).
[[ "$gpiod_exit" == 2 ]] || { cat "$work/hub-gpiod.log" >&2; die "with provider gpiod and no GPIO chip the hub exited $gpiod_exit, expected 2 (log above)"; }
gpiod_line="$(grep -m1 'gpio provider=' "$work/hub-gpiod.log" || true)"
[[ "$gpiod_line" == *provider=gpiod* ]] || { cat "$work/hub-gpiod.log" >&2; die "with gpio.provider gpiod the hub did not choose gpiod (log above)"; }
refusal="$(grep -m1 '^haven: gpio.provider is gpiod, but no GPIO chip could be opened' "$work/hub-gpiod.log" || true)"
[[ -n "$refusal" ]] || { cat "$work/hub-gpiod.log" >&2; die "the hub did not say clearly that there is no GPIO chip (log above)"; }
say "gpio: ${gpiod_line#*gpio }"
say "refused: $refusal (exit $gpiod_exit)"
phase_done "faked Pi, gpiod refused"

# --- The kiosk launcher, as haven-kiosk.service starts it, in dry-run mode ---
phase "kiosk launcher (dry run)"
kiosk_exec="$(sed -n 's/^ExecStart=//p' "$rootfs/etc/systemd/system/haven-kiosk.service")"
read -ra kiosk_command <<<"$kiosk_exec"
kiosk="$(chroot --userspec="$kiosk_uid:$kiosk_gid" "$rootfs" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/var/lib/haven-kiosk \
  "${kiosk_command[@]}" --dry-run 2>&1)" || die "kiosk.sh --dry-run failed: $kiosk"
printf '%s\n' "$kiosk" | sed 's/^/  /'
run_line="$(grep '^would run: cage -d -- /usr/bin/chromium ' <<<"$kiosk" || true)"
[[ -n "$run_line" ]] || die "kiosk.sh would not start /usr/bin/chromium under cage -d"
# The flags kiosk.sh documents for the classroom screen (--disable-pinch: docs/DECISIONS.md, "Kiosk zoom").
for flag in --kiosk --noerrdialogs --ozone-platform=wayland --no-first-run --disable-pinch --user-data-dir=; do
  grep -q -- " $flag" <<<"$run_line" || die "kiosk.sh would start Chromium without $flag"
done
[[ -x "$rootfs/usr/bin/cage" ]] || die "cage is not installed in the rootfs"
if in_root env -i /bin/sh -c 'exec /opt/haven/bin/kiosk.sh --wait soon --dry-run' >/dev/null 2>&1; then
  die "kiosk.sh accepted --wait soon"
fi
chromium_version="$(in_root /usr/bin/chromium --version 2>/dev/null | head -1 || true)"
say "kiosk: $(in_root cage -v 2>&1 | head -1 || true); ${chromium_version:-chromium --version gave nothing}"
phase_done "kiosk.sh --dry-run"

stop_pid "$watch_pid" 5
watch_pid=""
stop_pid "$broker_pid" 10
broker_pid=""

total=$(( ${EPOCHREALTIME%.*} - started ))
echo
echo "== arm64 hub step: summary =="
echo "Java:        $(head -1 <<<"$java_version") ($(in_root readlink -f /usr/bin/java))"
echo "Units:       systemd-analyze verify clean; exposure haven-hub.service $score (limit 3.0), haven-kiosk.service ${kiosk_score:-none}"
echo "GPIO (auto): ${gpio_line#*gpio }"
echo "GPIO (Pi):   ${gpiod_line#*gpio }"
echo "             $refusal"
echo "Rootfs:      $rootfs_size unpacked, $archive_size as $(basename "$archive")"
echo "MQTT messages seen on $topic_root/# (retained flag, topic, payload):"
sed 's/^/  /' "$work/mqtt.log"
echo "Durations:"
printf '  %s\n' "${timings[@]}"
printf '  %-36s %4d s\n' total "$total"
