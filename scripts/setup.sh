#!/usr/bin/env bash
# setup.sh: make sure the workbook's tools are installed.
#
# Checks for each tool and Debian package the build and the tests need. What is
# missing is installed with apt-get (as root, or through `sudo -n`); otherwise
# the script stops and prints the exact command to run. A second run that finds
# everything present does nothing and prints nothing, so every make target can
# call it.
set -euo pipefail

# command-or-file to look for | Debian package that provides it
needs=(
  "cmd:cc|gcc"
  "cmd:make|make"
  "cmd:bats|bats"
  "file:/usr/lib/bats/bats-support/load.bash|bats-support"
  "file:/usr/lib/bats/bats-assert/load.bash|bats-assert"
  "file:/usr/lib/bats/bats-file/load.bash|bats-file"
  "cmd:valgrind|valgrind"
  "file:/usr/include/valgrind/valgrind.h|valgrind"
  "cmd:timeout|coreutils"
  "cmd:readelf|binutils"
  "cmd:python3|python3"
  "cmd:jq|jq"
  "cmd:prlimit|util-linux"
  "cmd:pkill|procps"
  "cmd:cmp|diffutils"
  "cmd:zip|zip"
  "cmd:unzip|unzip"
)
# Extra tools asked for by the caller: WB_SETUP_EXTRA="doxygen dot:graphviz"
# (COMMAND or COMMAND:PACKAGE; /FILE:PACKAGE for a library's header,
# e.g. /usr/include/seccomp.h:libseccomp-dev). A leading ? marks a tool whose
# tests skip without it: it is installed when possible, and its absence is only
# noted.
optional=()
for p in ${WB_SETUP_EXTRA:-}; do
  if [[ $p == /* ]]; then
    needs+=("file:${p%%:*}|${p#*:}")
  elif [[ $p == \?* ]]; then
    p=${p#\?}
    command -v "${p%%:*}" >/dev/null 2>&1 || optional+=("${p#*:}")
  else
    needs+=("cmd:${p%%:*}|${p#*:}")
  fi
done

missing=()
for n in "${needs[@]}"; do
  what=${n%%|*} pkg=${n##*|}
  case $what in
    cmd:*) command -v "${what#cmd:}" >/dev/null 2>&1 && continue ;;
    file:*) [ -e "${what#file:}" ] && continue ;;
  esac
  [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ] && exit 0

echo "setup: installing missing packages: ${missing[*]} ${optional[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
elif [ ${#missing[@]} -eq 0 ]; then
  echo "setup: optional ${optional[*]} not installed (its tests will skip): sudo apt-get install -y ${optional[*]}" >&2
  exit 0
else
  echo "setup: cannot install as $(id -un); run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: no apt-get here; install these packages by hand: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Another apt-get (CI runs two parts at once) makes this one wait, not fail.
apt=(apt-get -o DPkg::Lock::Timeout=600)
"${sudo[@]}" "${apt[@]}" update -qq >&2
if [ ${#missing[@]} -gt 0 ]; then
  "${sudo[@]}" "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
if [ ${#optional[@]} -gt 0 ]; then
  "${sudo[@]}" "${apt[@]}" install -y -qq --no-install-recommends "${optional[@]}" >&2 ||
    echo "setup: optional ${optional[*]} could not be installed; its tests will skip" >&2
fi
