# shellcheck shell=bash
# Sourced by scripts/setup, scripts/test, scripts/develop and scripts/lint.
#
# Home Assistant 2026.3+ needs Python >= 3.14.2. Where the host has one, `.venv` is
# built from it and every command runs directly. Where it has none (this project's
# Debian 12 machines), a Debian "forky" root with python3.14 is provisioned once into a
# per-user cache with mmdebstrap, and commands run inside it: a private mount namespace
# (nothing leaks onto the host) with the repository bound at the same absolute path, so
# tracebacks and coverage paths match the host's.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$REPO_ROOT/.venv"
STAMP="$VENV/.esendex-setup-stamp"
REQUIREMENTS=("$REPO_ROOT/requirements.txt" "$REPO_ROOT/requirements_test.txt")
MIN_PYTHON="3.14.2"
DEBIAN_SUITE="forky"
PYTHON_ROOT="${ESENDEX_PYTHON_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/esendex-sms/debian-$DEBIAN_SUITE-python3.14}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

python_is_new_enough() {
    "$1" -c "import sys; sys.exit(sys.version_info < (${MIN_PYTHON//./, }))" 2>/dev/null
}

# Prints the first host interpreter that is new enough, or nothing.
find_host_python() {
    local candidate
    for candidate in "${ESENDEX_PYTHON:-}" python3.14 python3.15 python3; do
        [ -n "$candidate" ] || continue
        candidate="$(command -v "$candidate" 2>/dev/null)" || continue
        if python_is_new_enough "$candidate"; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    return 0
}

HOST_PYTHON="$(find_host_python)"

uses_python_root() { [ -z "$HOST_PYTHON" ]; }

# Reads the Debian mirror from the host's own apt sources (deb822 or one-line style).
debian_mirror() {
    local uri
    uri="$(
        {
            cat /etc/apt/sources.list.d/*.sources 2>/dev/null
            cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
        } | awk '
            /^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }
            /^deb[ \t]/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:.*\/debian\/?$/) { print $i; exit } }
        ' | head -n 1
    )"
    [ -n "$uri" ] || die "no Debian mirror found in /etc/apt/sources.list{,.d}"
    printf '%s\n' "${uri%/}"
}

provision_python_root() {
    if [ -x "$PYTHON_ROOT/usr/bin/python3.14" ] && [ -f "$PYTHON_ROOT/.esendex-complete" ]; then
        return 0
    fi
    local install_hint="Install Python >= $MIN_PYTHON (for example python3.14 from your distribution, pyenv or python.org), make sure 'python3.14' is on PATH (or set ESENDEX_PYTHON to it), then run scripts/setup again."
    if [ ! -r /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
        die "no Python >= $MIN_PYTHON found. $install_hint"
    fi
    if [ "$(id -u)" != 0 ]; then
        die "no Python >= $MIN_PYTHON found, and provisioning one on Debian needs root. $install_hint"
    fi
    if ! command -v mmdebstrap >/dev/null 2>&1; then
        log "Installing mmdebstrap from the host's Debian archive"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null
    fi
    local mirror
    mirror="$(debian_mirror)"
    log "No Python >= $MIN_PYTHON on this host: building a Debian $DEBIAN_SUITE root with python3.14 in $PYTHON_ROOT (about a minute, once)"
    rm -rf "$PYTHON_ROOT"
    mkdir -p "$(dirname "$PYTHON_ROOT")"
    # The mirror's copy of forky carries an expired Release date.
    mmdebstrap --quiet --variant=apt \
        --aptopt='Acquire::Check-Valid-Until "false"' \
        --include=python3.14,python3.14-venv,ca-certificates,tzdata \
        "$DEBIAN_SUITE" "$PYTHON_ROOT" "$mirror"
    touch "$PYTHON_ROOT/.esendex-complete"
}

# Runs a command with the venv first on PATH, in the repository, inside the provisioned
# root when the host has no suitable Python.
run_in_env() {
    if ! uses_python_root; then
        (cd "$REPO_ROOT" && PATH="$VENV/bin:$PATH" VIRTUAL_ENV="$VENV" "$@")
        return
    fi
    local root="$PYTHON_ROOT"
    # The host's resolver and CA bundle may change between runs; refresh both.
    cp -L /etc/resolv.conf "$root/etc/resolv.conf"
    if [ -r /etc/ssl/certs/ca-certificates.crt ]; then
        cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
    fi
    mkdir -p "$root$REPO_ROOT"
    local env_args=(
        "HOME=/root" "LANG=C.UTF-8" "TERM=${TERM:-dumb}"
        "PATH=$VENV/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        "VIRTUAL_ENV=$VENV"
    )
    local name
    for name in CI COLUMNS PYTEST_ADDOPTS ESENDEX_BENCH_SECONDS; do
        if [ -n "${!name:-}" ]; then env_args+=("$name=${!name}"); fi
    done
    # shellcheck disable=SC2016 # expanded by the inner shell
    # SIGTERM, not the default SIGKILL: Ctrl+C kills this wrapper, and Home
    # Assistant inside must still get to shut down cleanly.
    unshare --mount --fork --kill-child=SIGTERM -- /bin/sh -c '
        set -e
        root=$1 repo=$2; shift 2
        mount --bind /proc "$root/proc"
        mount --rbind /dev "$root/dev"
        mount --rbind /sys "$root/sys"
        mount --bind "$repo" "$root$repo"
        cd "$repo"
        exec chroot "$root" /usr/bin/env -i "$@"
    ' sh "$root" "$REPO_ROOT" "${env_args[@]}" /bin/sh -c 'cd "$0" && exec "$@"' "$REPO_ROOT" "$@"
}

setup_fingerprint() {
    {
        cat "${REQUIREMENTS[@]}"
        if uses_python_root; then echo "root:$PYTHON_ROOT"; else echo "host:$HOST_PYTHON"; fi
    } | sha256sum | cut -d' ' -f1
}

venv_is_current() {
    [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(setup_fingerprint)" ]
}

ensure_setup() {
    if ! venv_is_current; then
        "$REPO_ROOT/scripts/setup"
    fi
}
