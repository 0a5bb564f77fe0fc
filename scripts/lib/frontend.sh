# shellcheck shell=bash
# Sourced after env.sh by scripts/test: the messages card's toolchain (frontend/),
# run with the host's Node.js and npm, its packages exactly as package-lock.json
# pins them.

FRONTEND_DIR="$REPO_ROOT/frontend"
FRONTEND_STAMP="$FRONTEND_DIR/node_modules/.esendex-lock-stamp"

# Runs a command in frontend/ after installing what the lockfile pins, if it changed.
run_frontend() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
        die "the messages card needs Node.js 20 or newer and npm (Debian: apt-get install nodejs npm)"
    local fingerprint
    fingerprint="$(sha256sum "$FRONTEND_DIR/package-lock.json" | cut -d' ' -f1)"
    if [ ! -f "$FRONTEND_STAMP" ] || [ "$(cat "$FRONTEND_STAMP")" != "$fingerprint" ]; then
        log "Installing the card's packages (npm ci)"
        (cd "$FRONTEND_DIR" && npm ci --no-audit --no-fund --loglevel=error)
        printf '%s\n' "$fingerprint" >"$FRONTEND_STAMP"
    fi
    (cd "$FRONTEND_DIR" && "$@")
}
