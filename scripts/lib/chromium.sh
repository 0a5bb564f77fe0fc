# shellcheck shell=bash
# Sourced after env.sh by scripts/screenshots and scripts/test: Debian's Chromium,
# where the project's Python runs, for Playwright (requirements_test.txt) to drive.

# libatomic1: the one library Playwright's bundled Node.js needs that a minimal
# Debian root lacks.
CHROMIUM_PACKAGES=(chromium fonts-dejavu-core fonts-noto-color-emoji libatomic1)

# Chromium is there, and Playwright's driver starts (it prints its version).
browser_is_ready() {
    run_in_env test -x /usr/bin/chromium &&
        run_in_env python -m playwright --version >/dev/null 2>&1
}

ensure_chromium() {
    if browser_is_ready; then
        return 0
    fi
    local where="this machine"
    if uses_python_root; then where="the Python 3.14 root ($PYTHON_ROOT)"; fi
    if [ "$(id -u)" != 0 ] || ! run_in_env sh -c 'command -v apt-get' >/dev/null; then
        die "no /usr/bin/chromium, or Playwright's driver does not start, in $where; install Debian's ${CHROMIUM_PACKAGES[*]} there (as root: apt-get install ${CHROMIUM_PACKAGES[*]}), then run the script again."
    fi
    log "Installing Chromium from Debian's archive into $where (once, about a minute)"
    run_in_env sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null' \
        sh "${CHROMIUM_PACKAGES[@]}"
    browser_is_ready || die "Playwright's driver does not start in $where (its error: source scripts/lib/env.sh && run_in_env python -m playwright --version)."
}

