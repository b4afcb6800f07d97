# Sourced by the ensure-*.sh scripts, which define say and die and may set
# apt_timeout (seconds per apt-get call, default 600).

# apt_install HINT PACKAGE...: installs the packages with apt-get and
# --no-install-recommends. "apt-get update" runs only when the package lists
# are missing (fresh CI images and containers) or the first attempt fails
# (stale lists). Every apt-get call is bounded by apt_timeout; any failure
# dies loudly. HINT tells the user what to install by hand where there is
# no apt-get.
apt_install() {
	local hint=$1
	shift
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found; $hint"
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || die "not root and no sudo: cannot install $*"
		sudo=(sudo -n)
	fi
	if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
		say "no apt package lists; running apt-get update"
		apt_run update || die "apt-get update failed"
		apt_run install -y --no-install-recommends "$@" || die "apt-get install $* failed"
	elif ! apt_run install -y --no-install-recommends "$@"; then
		say "install failed; running apt-get update and retrying"
		apt_run update || die "apt-get update failed"
		apt_run install -y --no-install-recommends "$@" || die "apt-get install $* failed"
	fi
}

# apt_run ARG...: one bounded apt-get call, as root (through the caller's
# sudo array when not root).
apt_run() {
	local rc=0 limit=${apt_timeout:-600}
	timeout --kill-after=30 "$limit" "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" || rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		say "apt-get $* timed out after ${limit}s"
	fi
	return "$rc"
}
