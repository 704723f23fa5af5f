#!/usr/bin/env bash
# transcripts.sh: the write-ups' demo transcripts, split, normalised and
# replayed. tests/book.bats checks them against real runs; `make book` shows a
# machine's own output beside a transcript recorded on a different machine.
#
# Usage:
#   transcripts.sh README OUTDIR           split README's transcripts into OUTDIR
#   transcripts.sh --normalise MODE        filter stdin for comparison (below)
#   transcripts.sh --demos BUILD README... the demos --replay runs (build paths)
#   transcripts.sh --replay BUILD OUTDIR README...
#                                          re-run the fact-conditional transcripts
#                                          (every one with WB_BOOK_REPLAY=all) and
#                                          write what differs, for book/md-filter.sh;
#                                          with WB_BOOK_RUNS=DIR, keep each command's
#                                          first output as DIR/CHAPTER/NAME_ARGS.out
#
# A transcript is a fenced block with the info string `console` whose lines
# starting with "$ " are demo runs (`$ NAME ARGS`, NAME a demo of that
# chapter) and whose other lines are the output the run printed. For each run
# K (numbered through the file) the split writes
#   OUTDIR/K.cmd    NAME ARGS
#   OUTDIR/K.want   the output
#   OUTDIR/K.where  README:LINE of the run
#   OUTDIR/K.mode   exact or numbers
#   OUTDIR/K.when   the block's conditions, FACT=VALUE lines (may be empty)
#   OUTDIR/K.block  the line of the block's closing fence (runs of one block share it)
#
# An HTML comment on the line before the block (blank lines and other
# comments may come between) annotates it; clauses are separated by ";":
#   <!-- transcript: numbers vary -->        every run of digits compares equal
#                                            (counts that differ from run to run)
#   <!-- transcript: when zero_page=no -->   the output is this machine fact's:
#                                            the block is compared only where
#                                            `fact zero_page` (tests/helper.bash,
#                                            WB_FACT_ZERO_PAGE) is "no"
#   <!-- transcript: numbers vary; when zero_page=no; when thp=madvise -->
# Several `when` clauses may be given; all must hold. Any other clause is an
# error, so a misspelt annotation cannot silently turn a check off.
#
# Normalising (--normalise): both sides of a comparison pass through it. Only
# what differs from run to run on one machine becomes a token:
#   the run's temporary directory ($TMPDIR)      -> $TMPDIR
#   the build directory (WB_BUILD, any .../build/) -> BUILD/
#   an address: 0x and 9 or more hex digits (above 4 GiB, where PIE programs,
#     libraries, the heap, mmap and the stack live on 64-bit Linux) -> 0xADDR
#   a process id: "pid N", "PID N", "process N"   -> the word and N
#   a duration: a number with ns, us, ms, s, sec, seconds -> T
# Offsets, sizes, counts and every other number compare exactly, unless the
# block says `numbers vary` (MODE numbers), which turns every number (a run
# of digits, or a hex word with a digit in it such as 0x1e49 or 0017c000) into
# N and every run of spaces into one.
set -euo pipefail

# split README OUTDIR
split() {
  local readme=$1 out=$2
  mkdir -p "$out"
  awk -v out="$out" -v readme="$readme" '
    function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
    function bad(msg) { printf "%s:%d: %s\n", readme, NR, msg > "/dev/stderr"; failed = 1 }
    # <!-- transcript: CLAUSE; CLAUSE ... -->
    function annotate(text,   n, i, c, parts, m, j, conds) {
      n = split(text, parts, ";")
      for (i = 1; i <= n; i++) {
        c = trim(parts[i])
        if (c == "numbers vary") { pend_mode = "numbers"; continue }
        if (c ~ /^when /) {
          c = trim(substr(c, 6))
          m = split(c, conds, /[ \t]*(,|[ \t]and[ \t])[ \t]*/)
          for (j = 1; j <= m; j++) {
            if (conds[j] !~ /^[a-z][a-z0-9_]*=[^ \t=]+$/) { bad("transcript condition \"" conds[j] "\" is not FACT=VALUE (fact a lower-case name)"); continue }
            pend_when = pend_when conds[j] "\n"
          }
          continue
        }
        bad("unknown transcript annotation \"" c "\" (known: numbers vary; when FACT=VALUE)")
      }
      pending = 1
    }
    function close_run() { if (k > 0 && open_want) { close(out "/" k ".want"); open_want = 0 } }
    /^<!-- transcript:.*-->[ \t]*$/ && !inblock {
      t = $0; sub(/^<!-- transcript:/, "", t); sub(/-->[ \t]*$/, "", t)
      annotate(t); next
    }
    /^```console[ \t]*$/ && !inblock {
      inblock = 1; first = k + 1
      mode = pending && pend_mode != "" ? pend_mode : "exact"
      when = pending ? pend_when : ""
      pending = 0; pend_mode = ""; pend_when = ""
      next
    }
    inblock && /^```[ \t]*$/ {
      inblock = 0; close_run()
      for (i = first; i <= k; i++) { print NR > (out "/" i ".block"); close(out "/" i ".block") }
      next
    }
    inblock && /^\$ / {
      close_run(); k++
      print substr($0, 3) > (out "/" k ".cmd"); close(out "/" k ".cmd")
      print readme ":" NR > (out "/" k ".where"); close(out "/" k ".where")
      print mode > (out "/" k ".mode"); close(out "/" k ".mode")
      printf "%s", when > (out "/" k ".when"); close(out "/" k ".when")
      printf "" > (out "/" k ".want"); open_want = 1
      next
    }
    inblock && k >= first { print >> (out "/" k ".want") }
    # Blank lines and other HTML comments may stand between an annotation
    # and its block; anything else ends the annotation.
    !inblock && !/^[ \t]*$/ && !/^<!--/ { pending = 0; pend_mode = ""; pend_when = "" }
    END { if (inblock) bad("a console block is not closed"); exit failed }
  ' "$readme"
}

# normalise MODE: stdin -> stdout. TMPDIR and WB_BUILD, when set, are the
# run's temporary directory and build directory.
normalise() {
  local tmp=${TMPDIR:-/nonexistent} build=${WB_BUILD:-/nonexistent}
  tmp=${tmp%/} build=${build%/}
  sed -E -e "s#${tmp//#/\\#}#\$TMPDIR#g" \
         -e "s#${build//#/\\#}/#BUILD/#g" \
         -e 's#[^ ]*/build/#BUILD/#g' \
         -e 's/\b0x[0-9a-f]{9,}\b/0xADDR/g' \
         -e 's/\b(pid|PID|process) [0-9]+/\1 N/g' \
         -e 's/\b[0-9]+(\.[0-9]+)? ?(ns|us|ms|s|sec|seconds)\b/T/g' |
    if [[ $1 == numbers ]]; then
      sed -E 's/\b(0x)?[0-9a-f]*[0-9][0-9a-f]*\b/N/g; s/[0-9]+/N/g; s/ +/ /g'
    else cat; fi
}

# facts BUILD: WB_FACT_* of this machine into the environment (once).
facts() {
  [[ -n ${WB_FACT_KERNEL:-} ]] && return 0
  local doctor=$1/doctor env
  [[ -x $doctor ]] || { echo "transcripts: no $doctor (make doctor builds it)" >&2; return 1; }
  env=$("$doctor" --env) || { echo "transcripts: $doctor --env failed" >&2; return 1; }
  eval "$(sed -n 's/^\(WB_FACT_[A-Z0-9_]*\)=/export \1=/p' <<<"$env")"
}

# fact_value NAME: the fact as tests/helper.bash's `fact NAME` gives it.
fact_value() {
  local var=WB_FACT_${1^^}
  printf '%s' "${!var-unknown}"
}

# holds WHENFILE: every FACT=VALUE line in it holds on this machine.
holds() {
  local cond
  while IFS= read -r cond; do
    [[ -n $cond ]] || continue
    [[ $(fact_value "${cond%%=*}") == "${cond#*=}" ]] || return 1
  done <"$1"
}

# chapter_of README: the chapter directory name (chapters/NN-slug/README.md).
chapter_of() { basename "$(dirname "$1")"; }

# the runs --replay replays: conditional ones, or all with WB_BOOK_REPLAY=all.
replayed() { [[ ${WB_BOOK_REPLAY:-} == all || -s $1.when ]]; }

# demos BUILD README...: one awk over every write-up (the Makefile asks on
# every run, so this is kept cheap): the annotation is only looked at for a
# `when` clause; split reports its errors.
demos() {
  local build=$1
  shift
  awk -v build="$build" -v all="${WB_BOOK_REPLAY:-}" '
    FNR == 1 { n = split(FILENAME, p, "/"); ch = p[n - 1]; pending = 0; inblock = 0 }
    /^<!-- transcript:.*-->[ \t]*$/ && !inblock { pending = $0 ~ /[:;][ \t]*when / ? 2 : 1; next }
    /^```console[ \t]*$/ && !inblock { inblock = 1; take = all == "all" || pending == 2; pending = 0; next }
    inblock && /^```[ \t]*$/ { inblock = 0; next }
    inblock && take && /^\$ / { print build "/chapters/" ch "/" $2 }
    !inblock && !/^[ \t]*$/ && !/^<!--/ { pending = 0 }
  ' "$@" | sort -u
}

# replay BUILD OUTDIR README...: for every replayed block whose real output
# differs from the transcript, OUTDIR/CHAPTER/LINE.md holds the Markdown
# md-filter.sh puts after the block's closing fence (README line LINE).
replay() {
  local build=$1 out=$2 readme ch k i mode block conds note
  local -a args
  shift 2
  build=$(cd "$build" && pwd)
  facts "$build"
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  local tmp
  tmp=$(mktemp -d "$out/tmp.XXXXXX")
  local nrun=0 nshown=0
  for readme in "$@"; do
    ch=$(chapter_of "$readme")
    rm -rf "$tmp/tr"
    split "$readme" "$tmp/tr"
    # Group the runs by block: a block is shown again whole when any run differs.
    declare -A differs=() got=() cond=()
    for ((i = 1; ; i++)); do
      k=$tmp/tr/$i
      [[ -e $k.cmd ]] || break
      replayed "$k" || continue
      block=$(<"$k.block")
      read -r -a args <"$k.cmd"
      mode=$(<"$k.mode")
      nrun=$((nrun + 1))
      rm -rf "$tmp/run" && mkdir "$tmp/run"
      (cd "$tmp/run" && TMPDIR=$PWD timeout 60 "$build/chapters/$ch/${args[0]}" "${args[@]:1}" >"$k.got" 2>&1) || true
      # Kept for the book's figures (WB_BOOK_RUNS, scripts/book-figures.sh):
      # the first run of each command line, so a demo runs once for both.
      if [[ -n ${WB_BOOK_RUNS:-} ]]; then
        local keep
        keep=$WB_BOOK_RUNS/$ch/$(IFS=_; echo "${args[*]}").out
        mkdir -p "${keep%/*}"
        [[ -e $keep ]] || cp "$k.got" "$keep"
      fi
      got[$block]+="\$ ${args[*]}"$'\n'"$(<"$k.got")"$'\n'
      cond[$block]=$(paste -sd ' ' "$k.when")
      if ! cmp -s <(normalise "$mode" <"$k.want") <(TMPDIR=$tmp/run WB_BUILD=$build normalise "$mode" <"$k.got"); then
        differs[$block]=1
      fi
    done
    for block in "${!differs[@]}"; do
      mkdir -p "$out/$ch"
      note="kernel $WB_FACT_KERNEL"
      conds=""
      for c in ${cond[$block]}; do
        note+=", ${c%%=*}=$(fact_value "${c%%=*}")"
        conds+="${conds:+, }$c"
      done
      {
        echo
        if [[ -n $conds ]]; then
          echo "The transcript above was recorded where $conds. On the machine that built this page ($note) the same commands print:"
        else
          echo "On the machine that built this page ($note) the same commands print:"
        fi
        echo
        echo '```console'
        # The run's real output; its temporary directory written as the
        # write-ups write it.
        printf '%s' "${got[$block]}" | sed -e "s#$tmp/run#\$TMPDIR#g"
        echo '```'
      } >"$out/$ch/$block.md"
      nshown=$((nshown + 1))
    done
    unset differs got cond
  done
  rm -rf "$tmp"
  echo "book: $nrun transcript runs replayed on this machine, $nshown blocks differ and are shown beside the reference"
}

case ${1:-} in
  --normalise) normalise "${2:-exact}" ;;
  --demos) shift; demos "$@" ;;
  --replay) shift; replay "$@" ;;
  -h|--help|'') sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; [[ -n ${1:-} ]] ;;
  *) split "$@" ;;
esac
