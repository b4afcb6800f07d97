#!/usr/bin/env bash
# Makes sure the programs the Samba test harness (fstest/samba) needs are
# installed: smbd, pdbedit, samba-dcerpcd, smbclient and libnss_wrapper.
# Idempotent: does nothing when they are present. Otherwise installs the
# Debian/Ubuntu packages with apt-get, running "apt-get update" only when the
# package lists are missing or the first install attempt fails. Every apt-get
# call is bounded by a timeout; any failure is reported loudly with a
# non-zero exit status.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

packages=(samba smbclient libnss-wrapper)
apt_timeout=${SMBFS_APT_TIMEOUT:-600} # seconds per apt-get call

say() { echo "ensure-samba: $*" >&2; }
die() {
	say "ERROR: $*"
	exit 1
}

have_program() {
	command -v "$1" >/dev/null 2>&1 && return 0
	local d
	for d in /usr/sbin /sbin /usr/local/sbin /usr/libexec/samba /usr/lib/samba; do
		[ -x "$d/$1" ] && return 0
	done
	return 1
}

have_nss_wrapper() {
	[ -n "${SMBFS_NSS_WRAPPER:-}" ] && [ -e "$SMBFS_NSS_WRAPPER" ] && return 0
	compgen -G '/usr/lib/*-linux-gnu*/libnss_wrapper.so*' >/dev/null ||
		compgen -G '/usr/lib64/libnss_wrapper.so*' >/dev/null ||
		compgen -G '/usr/lib/libnss_wrapper.so*' >/dev/null ||
		compgen -G '/usr/local/lib*/libnss_wrapper.so*' >/dev/null
}

missing() {
	local m=() p
	for p in smbd pdbedit samba-dcerpcd smbclient; do
		have_program "$p" || m+=("$p")
	done
	have_nss_wrapper || m+=("libnss_wrapper.so")
	echo "${m[*]}"
}

gone=$(missing)
if [ -z "$gone" ]; then
	exit 0
fi
say "missing: $gone; installing ${packages[*]}"

apt_install "install Samba 4.17+ (smbd, pdbedit, samba-dcerpcd), smbclient and nss_wrapper by hand" "${packages[@]}"

gone=$(missing)
[ -z "$gone" ] || die "still missing after install: $gone"
say "ok: $(smbd -V 2>/dev/null || /usr/sbin/smbd -V)"
