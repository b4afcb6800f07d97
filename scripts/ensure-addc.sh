#!/usr/bin/env bash
# Makes sure the programs the AD DC test harness (fstest/addc) needs are
# installed: samba (the AD DC daemon), samba-tool, winbindd, MIT kinit,
# smbclient and smbstatus, ip and unshare. Idempotent: does nothing when
# they are present. Otherwise installs the Debian/Ubuntu packages
# samba-ad-dc, krb5-user and winbind with --no-install-recommends (so no
# krb5-config, which would write /etc/krb5.conf), running "apt-get update"
# only when the package lists are missing or the install fails. Every
# apt-get call is bounded by a timeout; a failure exits non-zero, loudly.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

packages=(samba-ad-dc samba-ad-provision krb5-user winbind smbclient)
apt_timeout=${SMBFS_APT_TIMEOUT:-600} # seconds per apt-get call

say() { echo "ensure-addc: $*" >&2; }
die() {
	say "ERROR: $*"
	exit 1
}

# have PROGRAM: found in $PATH or an sbin directory.
have() {
	command -v "$1" >/dev/null 2>&1 && return 0
	local d
	for d in /usr/sbin /sbin /usr/local/sbin; do
		[ -x "$d/$1" ] && return 0
	done
	return 1
}

# The samba daemon alone is not enough: samba-ad-dc brings winbind and the
# directory modules, samba-ad-provision the templates samba-tool domain
# provision reads.
have_dc() {
	have samba || return 1
	if command -v dpkg-query >/dev/null 2>&1; then
		dpkg-query -W -f='${Status}\n' samba-ad-dc samba-ad-provision 2>/dev/null |
			grep -c 'install ok installed' | grep -qx 2
		return
	fi
	[ -d /usr/share/samba/setup ]
}

missing() {
	local m=() p
	for p in samba-tool winbindd kinit smbclient smbstatus ip unshare mount; do
		have "$p" || m+=("$p")
	done
	have_dc || m+=("samba-ad-dc")
	echo "${m[*]}"
}

gone=$(missing)
if [ -z "$gone" ]; then
	exit 0
fi
say "missing: $gone; installing ${packages[*]}"

apt_install "install Samba 4.17+ as an AD DC (samba, samba-tool, winbindd), MIT krb5 (kinit) and smbclient by hand" "${packages[@]}"

gone=$(missing)
[ -z "$gone" ] || die "still missing after install: $gone"
say "ok: $(samba -V 2>/dev/null || /usr/sbin/samba -V)"
