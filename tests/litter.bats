# The litter check of scripts/run-tests.sh counts only what the suite left:
# an unrelated file appearing in /tmp during a run does not fail it, and a
# program of ours that leaves a file there still does. Each test runs the
# runner itself over tests/fixtures/litter/litter.bats.
load helper

fixture=$WB_ROOT/tests/fixtures/litter/litter.bats

# nested_run ENV...: the runner over the fixture, choosing its own litter mode.
nested_run() {
  run env -u WB_LITTER_MODE "$@" timeout 120 "$WB_ROOT/scripts/run-tests.sh" --demos --file "$fixture"
}

@test "litter check: a file someone else creates in /tmp during the run does not fail it" {
  local sync=$BATS_TEST_TMPDIR/sync unrelated
  mkdir "$sync"
  env -u WB_LITTER_MODE WB_FIXTURE_SYNC="$sync" timeout 120 \
    "$WB_ROOT/scripts/run-tests.sh" --demos --file "$fixture" >"$BATS_TEST_TMPDIR/out" 2>&1 &
  local pid=$! i
  for i in $(seq 200); do [[ -e $sync/started ]] && break; sleep 0.1; done
  [[ -e $sync/started ]] || fail "the fixture run never started: $(cat "$BATS_TEST_TMPDIR/out")"
  unrelated=$(mktemp /tmp/someone-else.XXXXXX)
  touch "$sync/go"
  wait "$pid" && status=0 || status=$?
  rm -f "$unrelated"
  output=$(cat "$BATS_TEST_TMPDIR/out")
  mapfile -t lines <<<"$output"
  if [[ $output == *"no private mount namespace here"* ]]; then
    skip "no private mount namespace here (not root, or unshare refused): the runner compares the machine's /tmp, where anyone's new file counts"
  fi
  [[ $status -eq 0 ]] || fail "the run failed (status $status): $output"
  assert_line --partial "litter: entries the suite left in its private /tmp and /dev/shm"
  assert_line "  ok    none"
  refute_line --partial "${unrelated##*/}"
}

@test "litter check: a program of ours that leaves a file in /tmp fails the run, named" {
  local name=wb-litter-fixture.$$
  nested_run WB_FIXTURE_LITTER="$name"
  rm -f "/tmp/$name"
  assert_failure
  assert_line "  ok    demo fixture: a program that leaves a file in /tmp when WB_FIXTURE_LITTER is set"
  assert_line "  FAIL  the suite left these behind:"
  assert_line "        /tmp/$name"
  assert_line --regexp '^[0-9]+ passed, 1 failed'
}
