# Sourced by test.sh, demo.sh (--cluster) and bench.sh (cluster): installs the Debian packages whose programs are missing.
# Usage: ensure_debian WHAT "path:package" ...   (WHAT is the command to run again, for the message)
# The programs are started by the tests and demos on their own ports, never as services: apt is kept from
# starting them (a policy-rc.d that denies starts, only for this install when the machine has none).
ensure_debian() {
  local what=$1; shift
  local missing=() entry
  for entry in "$@"; do
    if [[ ${entry%%:*} == /* ]]; then [ -x "${entry%%:*}" ] || missing+=("${entry#*:}")
    else command -v "${entry%%:*}" >/dev/null || missing+=("${entry#*:}"); fi
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "Missing Debian packages: ${missing[*]}. Install them (sudo apt-get install ${missing[*]}), then run $what again." >&2
    return 1
  fi
  echo "installing ${missing[*]} from Debian"
  local own_policy= installed=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    own_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT # also when the install fails or is interrupted
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
  fi
  { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } || installed=$?
  [ -z "$own_policy" ] || { rm -f /usr/sbin/policy-rc.d; trap - EXIT; }
  return "$installed"
}
