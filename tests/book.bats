#!/usr/bin/env bats
# Tests for the book: the write-ups' transcripts match real runs, and the
# Doxygen build (make book, run before these by make test) is whole.

load helper

BOOK=${WB_BOOK:-$WB_BUILD/book/html}

# normalise: what may differ from run to run (addresses, pids, durations,
# the temporary directory, where the checkout is) is replaced by a
# placeholder on both sides.
normalise() { # MODE
  local tmp=${TMPDIR%/}
  sed -E -e "s#${tmp//#/\\#}#\$TMPDIR#g" \
         -e 's#[^ ]*/build/#BUILD/#g' \
         -e 's/0x[0-9a-f]{6,}/0xADDR/g' \
         -e 's/\b(pid|PID|process) [0-9]+/\1 N/g' \
         -e 's/\b[0-9]+(\.[0-9]+)? ?(ns|us|ms|s|sec|seconds)\b/T/g' |
    if [[ $1 == numbers ]]; then sed -E 's/[0-9]+/N/g; s/ +/ /g'; else cat; fi
}

@test "book transcripts: every console block in a write-up matches a real run of its demo" {
  on_valgrind && skip "transcripts quote native runs; under Valgrind malloc, /proc/self/exe and the address space differ (the demos' own tests still run under it)"
  local readme ch k cmd mode bad=0 runs=0
  for readme in "$WB_ROOT"/chapters/*/README.md; do
    ch=$(basename "$(dirname "$readme")")
    rm -rf "$BATS_TEST_TMPDIR/tr"
    "$WB_ROOT/scripts/transcripts.sh" "$readme" "$BATS_TEST_TMPDIR/tr"
    for cmdf in "$BATS_TEST_TMPDIR"/tr/*.cmd; do
      [[ -e $cmdf ]] || continue
      k=${cmdf%.cmd}
      read -r -a cmd <"$cmdf"
      mode=$(<"$k.mode")
      runs=$((runs + 1))
      if [[ ! -x $WB_BUILD/chapters/$ch/${cmd[0]} ]]; then
        echo "$(<"$k.where"): '${cmd[0]}' is not a demo of $ch"
        bad=$((bad + 1)); continue
      fi
      rm -rf "$BATS_TEST_TMPDIR/run" && mkdir "$BATS_TEST_TMPDIR/run"
      (cd "$BATS_TEST_TMPDIR/run" && TMPDIR=$PWD wb_exec "$WB_BUILD/chapters/$ch/${cmd[0]}" "${cmd[@]:1}" >"$k.got" 2>&1) || true
      if ! diff -u <(normalise "$mode" <"$k.want") <(TMPDIR=$BATS_TEST_TMPDIR/run normalise "$mode" <"$k.got") >"$k.diff"; then
        echo "$(<"$k.where"): the output of '${cmd[*]}' no longer matches the write-up:"
        sed 's/^/    /' "$k.diff" | head -30
        bad=$((bad + 1))
      fi
    done
  done
  echo "$runs transcripts checked, $bad differ"
  [[ $runs -gt 0 && $bad -eq 0 ]]
}

@test "book pages: every chapter has a page, every internal link and diagram resolves" {
  [[ -f $BOOK/index.html ]] || fail "no $BOOK/index.html: run make book"
  run python3 "$WB_ROOT/scripts/check-book.py" "$BOOK" "$WB_ROOT"
  assert_success
  assert_output --regexp 'chapters, [0-9]+ diagrams: all present$'
}

@test "book listings: code shown in the book comes from the real sources" {
  # Every snippet/include directive names a file that exists and, for a
  # snippet, a marker that occurs twice in it (start and end).
  local readme line path name n bad=0
  for readme in "$WB_ROOT"/chapters/*/README.md; do
    while IFS= read -r line; do
      read -r _ _ path name _ <<<"$line"
      if [[ ! -f $WB_ROOT/$path ]]; then
        echo "$readme: $path does not exist"; bad=$((bad + 1)); continue
      fi
      if [[ $line == *snippet:* ]]; then
        n=$(grep -cF "[$name]" "$WB_ROOT/$path" || true)
        [[ $n -eq 2 ]] || { echo "$readme: marker [$name] occurs $n times in $path"; bad=$((bad + 1)); }
      fi
    done < <(grep -E '^<!-- (snippet|include|diagram): ' "$readme")
  done
  [[ $bad -eq 0 ]]
}

@test "book browser: the front page and a chapter render in headless Chromium" {
  command -v chromium >/dev/null || skip "chromium is not installed (apt-get install chromium)"
  [[ -f $BOOK/index.html ]] || fail "no $BOOK/index.html: run make book"
  local shots=$WB_BUILD/book/screenshots chapter
  mkdir -p "$shots"
  chapter=$(cd "$BOOK" && ls md_chapters_01*README.html | head -1)
  [[ -n $chapter ]] || fail "no page for chapter 01"
  browse() { # OUTPUT-FLAG PAGE
    timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic \
      --no-first-run --disable-background-networking --disable-component-update \
      --disable-sync --user-data-dir="$BATS_TEST_TMPDIR/profile" \
      --window-size=1280,900 --virtual-time-budget=3000 "$1" "file://$BOOK/$2" 2>/dev/null
  }
  browse --screenshot="$shots/front.png" index.html
  browse --screenshot="$shots/chapter01.png" "$chapter"
  for png in front chapter01; do
    [[ $(head -c 8 "$shots/$png.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] ||
      fail "$shots/$png.png is not a PNG"
    [[ $(stat -c %s "$shots/$png.png") -gt 10000 ]] || fail "$shots/$png.png is nearly empty"
  done
  # The navigation tree is built by JavaScript: after it ran, the front page's
  # DOM must name every chapter.
  browse --dump-dom index.html >"$BATS_TEST_TMPDIR/front.html"
  local readme title
  for readme in "$WB_ROOT"/chapters/*/README.md; do
    title=$(sed -n '1s/^# *//p' "$readme")
    grep -qF "$title" "$BATS_TEST_TMPDIR/front.html" || fail "the rendered front page does not show '$title'"
  done
}
