#!/usr/bin/env bash
# lint.sh: static checks, each a pass/fail line, then `N passed, N failed`.
#   Cppcheck: all C (lib, chapters, exercises, solutions, examples) with zero
#              findings; justified suppressions live in .cppcheck-suppressions
#   ShellCheck: every shell script and the Bats helper
#   clang-format: every C file already follows .clang-format
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
shopt -s nullglob
passed=0 failed=0
check() { # NAME COMMAND...: run COMMAND, show its output when it fails
  local name=$1 out
  shift
  if out=$("$@" 2>&1) && [ -z "$out" ]; then
    echo "  ok    $name"; passed=$((passed + 1))
  else
    echo "  FAIL  $name"; sed 's/^/        /' <<<"$out" | head -60; failed=$((failed + 1))
  fi
}
c_files=(lib/*.[ch] scripts/*.c scripts/matrix/*.c chapters/*/*.[ch] chapters/*/*/*.[ch] exercises/*/*.c solutions/*/*.c examples/*/*.[ch] examples/*/*/*.[ch])
sh_files=(scripts/*.sh scripts/matrix/*.sh scripts/autograder/setup.sh scripts/autograder/run_autograder scripts/prairielearn/run_prairielearn .ci/run book/md-filter.sh book/header.sh)

echo "== lint"
check "cppcheck: no findings in ${#c_files[@]} C files" \
  cppcheck -q --enable=warning,style,performance,portability --std=c11 \
    -Ilib -D_GNU_SOURCE --inline-suppr --suppressions-list=.cppcheck-suppressions \
    --error-exitcode=1 --template='{file}:{line}: {severity}: {message} [{id}]' "${c_files[@]}"
check "shellcheck: no findings in ${#sh_files[@]} scripts and the Bats helper" \
  shellcheck -x "${sh_files[@]}"
# SC2034/SC2154: bats sets and reads $output, $status, $stderr; SC1091: its libraries.
check "shellcheck: tests/helper.bash" shellcheck -s bash -e SC2034,SC2154,SC1091 tests/helper.bash
fmt_bad() { local f; for f in "${c_files[@]}"; do clang-format "$f" | cmp -s "$f" - || echo "$f"; done; }
check "clang-format: every C file follows .clang-format (fix: clang-format -i FILE)" fmt_bad
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
