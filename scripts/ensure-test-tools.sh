#!/usr/bin/env bash
# Makes sure the programs the CLI and browser tests need are installed:
# tmux (cmd/smbfs drives the CLI on a terminal) and Debian's chromium with
# a font (examples/httpserve drives a headless browser). Idempotent: does
# nothing when they are present. Otherwise installs them with apt-get,
# running "apt-get update" only when the package lists are missing or the
# first attempt fails. Every apt-get call is bounded by a timeout; a
# failure is reported with a non-zero exit status.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

apt_timeout=${SMBFS_APT_TIMEOUT:-900} # seconds per apt-get call

say() { echo "ensure-test-tools: $*" >&2; }
die() {
	say "ERROR: $*"
	exit 1
}

need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Without any font Chromium renders text as empty boxes in screenshots.
compgen -G '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf' >/dev/null || need+=(fonts-dejavu-core)
if [ ${#need[@]} -eq 0 ]; then
	exit 0
fi
say "installing ${need[*]}"

start=$(date +%s)
apt_install "install ${need[*]} by hand" "${need[@]}"
command -v tmux >/dev/null 2>&1 || die "tmux still missing after install"
command -v chromium >/dev/null 2>&1 || die "chromium still missing after install"
say "ok in $(($(date +%s) - start))s: $(tmux -V), $(chromium --version 2>/dev/null | head -1)"
