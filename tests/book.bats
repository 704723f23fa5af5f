#!/usr/bin/env bats
# Tests for the book: the write-ups' transcripts match real runs, and the
# Doxygen build (make book, run before these by make test) is whole.

load helper

BOOK=${WB_BOOK:-$WB_BUILD/book/html}

# normalise MODE: what may differ from run to run on one machine (addresses,
# pids, durations, the temporary directory, where the build is) becomes a
# placeholder on both sides; offsets, sizes and counts compare exactly unless
# the block says `numbers vary` (MODE numbers). The rules live in
# scripts/transcripts.sh, which `make book` uses too.
normalise() { # MODE
  WB_BUILD=$WB_BUILD "$WB_ROOT/scripts/transcripts.sh" --normalise "$1"
}

# for_this_machine K: every `when FACT=VALUE` condition of run K holds here
# (`fact FACT` is VALUE); if not, says which one does not (status 1), or that
# the doctor knows no such fact (status 2: a misspelt name fails the test).
for_this_machine() {
  local cond have
  while IFS= read -r cond; do
    [[ -n $cond ]] || continue
    have=$(fact "${cond%%=*}" 2>&1) || { echo "no machine fact '${cond%%=*}': $have"; return 2; }
    if [[ $have != "${cond#*=}" ]]; then
      echo "${cond%%=*} is $have here, the transcript is for ${cond}"
      return 1
    fi
  done <"$1.when"
}

@test "book transcripts: every console block in a write-up matches a real run of its demo" {
  on_valgrind && skip "transcripts quote native runs; under Valgrind malloc, /proc/self/exe and the address space differ (the demos' own tests still run under it)"
  local readme ch k cmd mode why status bad=0 runs=0 other=0
  for readme in "$WB_ROOT"/chapters/*/README.md; do
    ch=$(basename "$(dirname "$readme")")
    rm -rf "$BATS_TEST_TMPDIR/tr"
    "$WB_ROOT/scripts/transcripts.sh" "$readme" "$BATS_TEST_TMPDIR/tr" || { bad=$((bad + 1)); continue; }
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
      why=$(for_this_machine "$k") && status=0 || status=$?
      if [[ $status -eq 1 ]]; then
        echo "$(<"$k.where"): '${cmd[*]}' not for this machine: $why"
        other=$((other + 1)); continue
      elif [[ $status -ne 0 ]]; then
        echo "$(<"$k.where"): $why"
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
  echo "$runs transcripts: $((runs - other - bad)) match, $bad differ, $other not for this machine"
  [[ $runs -gt 0 && $bad -eq 0 ]]
}

@test "book normaliser: offsets, sizes and counts compare exactly; addresses, pids, durations and paths do not" {
  local a b
  a='  PT_LOAD 1: offset 0x002000 vaddr 0x002000 filesz 0x001e49 memsz 0x001e49 R-X
  region page 65507 is still mapped, at file offset 0xffe3000 as before
  address  0x562867dea000-0x562867deb000  first byte to one past the last: 1 page(s)
reader: stored "and hello back from pid 29851" at offset 2048
  time: 0.233 ms, 3.92 us per call, 30.00 s
  file /nonexistent/tree-a/build/chapters/04-private-file/elf_segments and '"$TMPDIR"'/data'
  # an offset (filesz) one digit off is caught
  b=${a/filesz 0x001e49/filesz 0x001f49}
  [[ $(normalise exact <<<"$a") != "$(normalise exact <<<"$b")" ]] || fail "a changed filesz compared equal"
  # so is a seven-digit file offset and a count
  b=${a/0xffe3000/0xffe4000}
  [[ $(normalise exact <<<"$a") != "$(normalise exact <<<"$b")" ]] || fail "a changed offset compared equal"
  b=${a/page 65507/page 65508}
  [[ $(normalise exact <<<"$a") != "$(normalise exact <<<"$b")" ]] || fail "a changed count compared equal"
  # addresses, pids, durations, the build and temporary directories are not
  b=${a//0x562867de/0x7f3a41c0}
  b=${b/pid 29851/pid 4242}
  b=${b/0.233 ms/12.5 ms}
  b=${b/3.92 us/4 us}
  b=${b/30.00 s/5 s}
  # (the temporary directory first: it may lie under the real build tree)
  b=${b//$TMPDIR//tmp/elsewhere}
  b=${b//\/nonexistent\/tree-a\/build\//\/home\/student\/mmap\/build\/}
  run diff <(normalise exact <<<"$a") <(TMPDIR=/tmp/elsewhere normalise exact <<<"$b")
  assert_success
  # `numbers vary`: every number compares equal, offsets too
  b=${a/filesz 0x001e49/filesz 0x0a1f49}
  run diff <(normalise numbers <<<"$a") <(normalise numbers <<<"$b")
  assert_success
}

@test "book transcript annotations: numbers vary and when FACT=VALUE reach the runs they govern" {
  cat >README.md <<'MD'
# fixture
<!-- transcript: numbers vary -->
```console
$ one
1
```
<!-- transcript: numbers vary; when zero_page=no; when thp=madvise, page_size=4096 -->

```console
$ two a
2
$ three
3
```
Prose ends an annotation.
<!-- transcript: when zero_page=yes -->
Like this.
```console
$ four
4
```
MD
  run "$WB_ROOT/scripts/transcripts.sh" README.md tr
  assert_success
  [[ $(cat tr/1.mode tr/2.mode tr/3.mode tr/4.mode | paste -sd ' ') == "numbers numbers numbers exact" ]] || fail "modes: $(cat tr/*.mode)"
  [[ ! -s tr/1.when && ! -s tr/4.when ]] || fail "conditions where none apply: $(cat tr/1.when tr/4.when)"
  assert_equal "$(cat tr/2.when)" $'zero_page=no\nthp=madvise\npage_size=4096'
  assert_equal "$(cat tr/3.when)" "$(cat tr/2.when)"
  assert_equal "$(cat tr/2.cmd) / $(cat tr/2.want) / $(cat tr/2.where) / $(cat tr/2.block)" "two a / 2 / README.md:10 / 14"
  # a misspelt annotation is an error, not a check silently turned off
  printf '<!-- transcript: number vary -->\n```console\n$ one\n1\n```\n' >bad.md
  run --separate-stderr "$WB_ROOT/scripts/transcripts.sh" bad.md tr2
  assert_failure
  [[ $stderr == *'unknown transcript annotation "number vary"'* ]] || fail "stderr: $stderr"
  printf '<!-- transcript: when Zero_Page -->\n```console\n$ one\n1\n```\n' >bad2.md
  run --separate-stderr "$WB_ROOT/scripts/transcripts.sh" bad2.md tr3
  assert_failure
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
  for readme in "$WB_ROOT"/chapters/*/README.md "$WB_ROOT"/examples/*/README.md; do
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
