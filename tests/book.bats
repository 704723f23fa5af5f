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

@test "book browser: every page loads clean, draws its figures, lists every chapter, links on, and is found by the search box" {
  command -v chromium >/dev/null || skip "chromium is not installed (apt-get install chromium)"
  [[ -f $BOOK/index.html ]] || fail "no $BOOK/index.html: run make book"
  local shots=$WB_BUILD/book/screenshots png
  rm -f "$shots"/*.png
  # scripts/book-browser.py opens each page of the book (front page,
  # chapters, examples, appendix) at 1280x900 and checks it: no console
  # error, every image drawn with a size, every chapter in the side bar and
  # none cut off, the previous/next links in reading order, the search box
  # offering the page for a word of its title; then the screenshots.
  local chapters=("$WB_ROOT"/chapters/*/README.md) examples=("$WB_ROOT"/examples/*/README.md)
  run timeout 170 python3 "$WB_ROOT/scripts/book-browser.py" check "$BOOK" "$WB_ROOT" "$shots"
  assert_success
  # every chapter and example, the front page and the appendix
  assert_output --regexp "^browser: $((${#chapters[@]} + ${#examples[@]} + 2)) pages, ${#chapters[@]} chapters in every side bar, [0-9]+ images, [0-9]+ searches, 4 screenshots: all as a reader should see them$"
  for png in front-light front-dark chapter01-light chapter01-dark; do
    [[ $(head -c 8 "$shots/$png.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] ||
      fail "$shots/$png.png is not a PNG"
    [[ $(stat -c %s "$shots/$png.png") -gt 10000 ]] || fail "$shots/$png.png is nearly empty"
  done
  # dark mode is dark: its screenshot differs from the light one
  if cmp -s "$shots/front-light.png" "$shots/front-dark.png"; then fail "the dark screenshot is the light one"; fi
}

@test "book figures: chapter 13's plots and the examples' are drawn, each captioned with its machine and date or as reference figures" {
  [[ -f $BOOK/index.html ]] || fail "no $BOOK/index.html: run make book"
  local readme name page n=0 measured=0
  for readme in "$WB_ROOT"/chapters/*/README.md "$WB_ROOT"/examples/*/README.md; do
    page=$BOOK/md_$(realpath --relative-to="$WB_ROOT" "${readme%.md}" | tr -c 'A-Za-z0-9_\n' '_').html
    while read -r _ _ name _; do
      n=$((n + 1))
      [[ -s $BOOK/$name.svg ]] || fail "$readme: figure $name was not drawn into the book"
      grep -q '<svg' "$BOOK/$name.svg" || fail "$BOOK/$name.svg is not an SVG"
      grep -qF "data=\"$name.svg\"" "$page" || fail "$page does not show $name.svg"
      # the caption names the machine and the date, or says reference figures
      grep -A3 -F "data=\"$name.svg\"" "$page" | grep -qE 'Measured by make book on Linux [^ ]+, .* [0-9]{4}, [0-9]{2}:[0-9]{2} UTC|Reference figures' ||
        fail "$page: the caption of $name names neither the machine and date nor reference figures"
      if grep -A3 -F "data=\"$name.svg\"" "$page" | grep -qF "Linux $(uname -r)"; then measured=$((measured + 1)); fi
    done < <(grep -E '^<!-- figure: ' "$readme")
  done
  echo "$n figures, $measured measured on this machine"
  [[ $n -ge 7 ]] || fail "only $n figures in the write-ups"
}

@test "book pdf: the whole book prints to one PDF, chapters in order, nothing cut at the margin" {
  command -v chromium >/dev/null || skip "chromium is not installed (apt-get install chromium)"
  command -v pdfunite >/dev/null && command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null ||
    skip "poppler-utils is not installed (apt-get install poppler-utils)"
  [[ -f $BOOK/index.html ]] || fail "no $BOOK/index.html: run make book"
  # The PDF `make book-pdf` writes, made the same way (WB_BOOK_PDF: check
  # one already made instead).
  local pdf=${WB_BOOK_PDF:-$BATS_TEST_TMPDIR/book.pdf}
  if [[ -z ${WB_BOOK_PDF:-} ]]; then
    run timeout 300 python3 "$WB_ROOT/scripts/book-browser.py" pdf "$BOOK" "$WB_ROOT" "$pdf"
    assert_success
    assert_output --regexp 'book-pdf: .*: [0-9]+ pages of the book printed and joined$'
  fi
  local pages readme title sentence
  pages=$(pdfinfo "$pdf" | sed -n 's/^Pages: *//p')
  # every page of the book is at least a sheet; the chapters are long
  [[ $pages -ge 60 && $pages -le 2000 ]] || fail "$pages pages: not the whole book"
  # For each chapter and example: its title and a known sentence (the start
  # of its first paragraph line with no markup), looked for in the PDF's
  # text with all white space and hyphens taken out (lines break anywhere
  # in print, and pdftotext joins "key-" and "value" as a hyphenated word).
  for readme in "$WB_ROOT"/chapters/*/README.md "$WB_ROOT"/examples/*/README.md; do
    title=$(sed -n '1s/^# *//p' "$readme")
    sentence=$(sed -n '2,$p' "$readme" | grep -m1 -E '^[A-Z][^][`*_<>|]{50,}$' | cut -d' ' -f1-8)
    [[ -n $sentence ]] || fail "$readme: no plain line to look for"
    printf '%s\t%s\t%s\n' "${readme#"$WB_ROOT"/}" "$title" "$sentence"
  done >want.tsv
  pdftotext "$pdf" - | tr -d ' \n\f\t-' >text
  run awk -F '\t' '
    NR == FNR { text = text $0; next }
    { t = $2; s = $3; gsub(/[ \t-]/, "", t); gsub(/[ \t-]/, "", s)
      at = index(text, t)
      if (!at) { print $1 ": the PDF has no title \"" $2 "\""; bad++ }
      else if (at < last) { print $1 ": \"" $2 "\" comes before the page it follows"; bad++ }
      if (!index(text, s)) { print $1 ": the PDF does not have \"" $3 "\""; bad++ }
      if (at) last = at; n++ }
    END { print n " pages found in order, " (bad + 0) " problems"; exit bad > 0 }' text want.tsv
  assert_success
  echo "$pages pages"
}
