#!/bin/sh
# Terminal safety: no byte of a document, a file name, a value or an id
# reaches the terminal raw through any command.  A store whose texts, ids,
# metadata, file name, sources, generators and notes hold ESC sequences,
# C1 controls, bidi controls (U+202E, U+2066), zero-width characters
# (U+200B, U+200D, U+FEFF) and U+2028/U+2029; every printing command's
# output must hold none of those bytes and show the placeholders
# (^[, <U+202E>...) instead; --json outputs escape them (\u202e).  Then the
# one rule of label values (index flags, input fields, label --set, notes)
# and input ids that name several documents (cat/show --ext refuse them).
. "$top_srcdir/tests/cli/lib.sh"
S=$T/s.pvx

ESC=$(printf '\033')
CSI=$(printf '\302\233')         # U+009B, a C1 control
RLO=$(printf '\342\200\256')     # U+202E right-to-left override
LRI=$(printf '\342\201\246')     # U+2066 left-to-right isolate
ZWSP=$(printf '\342\200\213')    # U+200B zero-width space
ZWJ=$(printf '\342\200\215')     # U+200D zero-width joiner
BOM=$(printf '\357\273\277')     # U+FEFF zero-width no-break space
LSEP=$(printf '\342\200\250')    # U+2028 line separator
PSEP=$(printf '\342\200\251')    # U+2029 paragraph separator

# raw_in FILE: the names of the hostile sequences FILE holds ("" = none)
raw_in() {
	_r=
	LC_ALL=C grep -qF -e "$ESC" -e "$CSI" -e "$RLO" -e "$LRI" -e "$ZWSP" \
		-e "$ZWJ" -e "$BOM" -e "$LSEP" -e "$PSEP" "$1" || return 0
	for _v in ESC CSI RLO LRI ZWSP ZWJ BOM LSEP PSEP; do
		eval "_b=\$$_v"
		LC_ALL=C grep -qF -- "$_b" "$1" && _r="$_r $_v"
	done
	printf '%s' "$_r"
}

# clean NAME FILE: FILE holds no hostile byte sequence
clean() {
	is "$(raw_in "$2")" "" "$1: no raw ESC, C1, bidi, zero-width or separator bytes"
}

# The corpus: JSON escapes, so the input file itself is plain ASCII
# (but its name is not: it holds U+202E).
IN="$T/in${RLO}put.jsonl"
H='\u001b[31m\u009b\u202e\u2066\u200b\u200d\ufeff\u2028\u2029'
{
	i=1
	while [ $i -le 6 ]; do
		printf '{"id":"r%d%s","text":"real document %d says %s hello the river runs by the old mill and the town","origin":"real","m":"meta %s"}\n' $i "$H" $i "$H" "$H"
		printf '{"id":"s%d","text":"synthetic document %d says %s hello the river runs by the old mill and the town now","origin":"synthetic","src":"gen%s"}\n' $i $i "$H" "$H"
		i=$((i + 1))
	done
} > "$IN"
pv index -q "$S" "$IN" --id-field id --origin-field origin 2> "$T/index.err"
ok $? "index the hostile corpus"
clean "index messages" "$T/index.err"

# A store written before values were checked may hold any of them: put
# hostile sources, generators and purposes in as such a store would have.
python3 - "$S" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
h = "\x1b[2J\u009b\u202e\u2066\u200b\u200d\ufeff\u2028\u2029"
db.execute("UPDATE docs SET source=?, generator=?, purpose=?",
           ("src" + h, "gen" + h, "pur" + h))
# a blind review session by a reviewer with such a name
db.execute("INSERT INTO review_sessions(id,reviewer,mode,filter,seed,started) "
           "VALUES (1,?,'single','',0,'2026-01-01T00:00:00Z')", ("rev" + h,))
for item, doc in enumerate(range(1, 9)):
    truth = "real" if doc % 2 else "synthetic"
    db.execute("INSERT INTO review_answers(session_id,reviewer,item,left_doc,"
               "truth,answer,correct,ms,at) VALUES (1,?,?,?,?,?,1,900,"
               "'2026-01-01T00:00:01Z')", ("rev" + h, item, doc, truth, truth))
db.commit()
EOF
ok $? "hostile provenance values written as an old store could hold them"

pv show "$S" 1 2 > "$T/show.out" 2>&1
ok $? "show"
clean "show" "$T/show.out"
like "$(cat "$T/show.out")" 'says \^\[\[31m<U[+]009B><U[+]202E><U[+]2066><U[+]200B><U[+]200D><U[+]FEFF><U[+]2028><U[+]2029> hello' \
	"show: the text's characters as placeholders, in place"
like "$(cat "$T/show.out")" 'source +src\^\[\[2J<U[+]009B><U[+]202E>' "show: the source too"
like "$(cat "$T/show.out")" 'file +.*in<U[+]202E>put.jsonl' "show: the file name too"
like "$(cat "$T/show.out")" 'ext_id +r1\^\[\[31m<U[+]009B><U[+]202E>' "show: the id too"

pv ls "$S" > "$T/ls.out" 2>&1
ok $? "ls"
clean "ls" "$T/ls.out"
like "$(cat "$T/ls.out")" '<U[+]202E>' "ls: placeholders"
pv ls "$S" --json > "$T/ls.json" 2>&1
clean "ls --json" "$T/ls.json"
like "$(cat "$T/ls.json")" '\\u202e' "ls --json: U+202E escaped as \\u202e"
python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if "\u202e" in rows[0]["ext_id"] and "\u2028" in rows[0]["source"] else 1)' "$T/ls.json"
ok $? "ls --json: the escapes read back as the characters"

pv cat "$S" 1 > "$T/cat.out"
ok $? "cat to a file"
like "$(raw_in "$T/cat.out")" 'ESC CSI RLO LRI ZWSP ZWJ BOM LSEP PSEP' \
	"cat to a file: the exact bytes"
if command -v script > /dev/null 2>&1; then
	script -qc "\"$PROVEX\" cat \"$S\" 1" /dev/null > "$T/cattty.out" 2>&1
	clean "cat to a terminal" "$T/cattty.out"
	like "$(cat "$T/cattty.out")" '<U[+]202E>.*--raw' "cat to a terminal: placeholders and a note naming --raw"
	script -qc "\"$PROVEX\" cat --raw \"$S\" 1" /dev/null > "$T/catraw.out" 2>&1
	like "$(raw_in "$T/catraw.out")" 'RLO' "cat --raw to a terminal: the exact bytes"
else
	skip "script(1) is not installed: cat to a terminal not tried"
	skip "script(1) is not installed"
	skip "script(1) is not installed"
fi

# (under valgrind once each: pv; the other forms directly)
for cmd in "info" "info --json" "stats --by source" "stats --by generator --json" \
	   "stats --by purpose" "count"; do
	case $cmd in
	info|"stats --by source") pv $cmd "$S" > "$T/o.out" 2>&1 ;;
	*) "$PROVEX" $cmd "$S" > "$T/o.out" 2>&1 ;;
	esac
	clean "$cmd" "$T/o.out"
	[ "$cmd" = info ] && cp "$T/o.out" "$T/info.out"
done
like "$(cat "$T/info.out")" 'src\^\[\[2J' "info: the source's ESC as ^["

# history: the hostile old value of a relabel
pv label "$S" 'id:1' --set source=clean --yes > "$T/label.out" 2>&1
ok $? "label --set source=clean over a hostile source"
clean "label's messages" "$T/label.out"
for cmd in "history" "history --json"; do
	pv $cmd "$S" > "$T/h.out" 2>&1
	clean "$cmd" "$T/h.out"
done
like "$(pv history "$S" 2>&1)" 'src\^\[\[2J<U[+]009B><U[+]202E>' "history: the old value with placeholders"
like "$(pv history "$S" --json 2>&1)" 'src\\u001b\[2J\\u009b\\u202e\\u2066\\u200b\\u200d\\ufeff\\u2028\\u2029' \
	"history --json: every one escaped"

# detect, pairs, review: words, ids and values of the documents
pv detect "$S" --folds 2 --by generator > "$T/detect.out" 2>&1
clean "detect" "$T/detect.out"
pv pairs "$S" --threshold 0.5 > "$T/pairs.out" 2>&1
clean "pairs" "$T/pairs.out"
pv pairs "$S" --report > "$T/pairs.out" 2>&1
clean "pairs --report" "$T/pairs.out"
pv history "$S" 1 > "$T/h1.out" 2>&1
clean "history ID (its provenance as indexed)" "$T/h1.out"

# raw bytes (not \u escapes) in an input's text and metadata (ESC is no
# longer among them: JSON refuses raw controls in strings)
printf '{"text":"t %s %s %s","m":"raw %s %s %s","n":{"k":"%s"}}\n' "$RLO" "$CSI" "$LSEP" \
	"$RLO" "$ZWJ" "$CSI" "$LRI" > "$T/raw.jsonl"
pv index -q "$T/raw.pvx" "$T/raw.jsonl"
ok $? "index a record with raw hostile bytes"
pv show "$T/raw.pvx" 1 > "$T/raw.out" 2>&1
clean "show of raw bytes in text and metadata" "$T/raw.out"
like "$(cat "$T/raw.out")" 'meta .*raw <U[+]202E> <U[+]200D> <U[+]009B>.*<U[+]2066>' "the metadata's characters as placeholders"

for by in source reviewer; do
	pv review "$S" --report --single --by $by > "$T/review.out" 2>&1
	clean "review --report --by $by" "$T/review.out"
	like "$(cat "$T/review.out")" '<U[+]202E>' "review --report --by $by: placeholders"
done
pv review "$S" --report --single --by reviewer --json > "$T/review.out" 2>&1
clean "review --report --json" "$T/review.out"

# config --print: a theme name from the configuration file
printf 'theme: "dark\\u202eX"\n' > "$T/c.yaml"
pv config --file "$T/c.yaml" > "$T/cfg.out" 2>&1
clean "config --print" "$T/cfg.out"
like "$(cat "$T/cfg.out")" 'theme: "dark\\u202eX"' "config --print: U+202E as a YAML escape, read back the same"

# error messages that quote a value
pv count "$S" "source:\"x${RLO}y${ESC}[2J" > "$T/err.out" 2>&1
clean "a filter error quoting a value" "$T/err.out"
pv show "$S" --ext "nope${RLO}${ESC}[2J" > "$T/err.out" 2>&1
is $? 1 "show --ext of an unknown id fails"
clean "the unknown id in the message" "$T/err.out"

# ---- the one rule of values ----
for v in "a${ESC}[31mb" "a${RLO}b" "a${LRI}b" "a${ZWSP}b" "a${ZWJ}b" "a${BOM}b" "a${LSEP}b" \
	 "a${PSEP}b" "a${CSI}b" "$(printf 'a\tb')" "$(printf 'a\377b')"; do
	# (not under valgrind: the same refusal 33 times; pv runs it below)
	"$PROVEX" label "$S" 'id:2' --set "source=$v" --yes > "$T/v.out" 2>&1
	st=$?
	"$PROVEX" label "$S" 'id:2' --set "note=$v" --yes >> "$T/v.out" 2>&1
	st2=$?
	"$PROVEX" index -q "$T/v.pvx" "$IN" --source "$v" >> "$T/v.out" 2>&1
	st3=$?
	is "$st $st2 $st3" "2 2 2" "label source=, note= and index --source refuse $(printf '%s' "$v" | od -An -c | tr -s ' ')"
	clean "the refusal's message" "$T/v.out"
done
err=$(pv index -q "$T/v.pvx" "$IN" --generator "a${LRI}b" 2>&1)
is $? 2 "index --generator with U+2066: usage error"
like "$err" '^provex index: --generator "a<U[+]2066>b" holds a bidi control \(U[+]2066\)' "naming the option, value and character"
ok $([ ! -e "$T/v.pvx" ]; echo $?) "a refused --source or --generator makes no store"
err=$(pv label "$S" 'id:2' --set "generator=ab${RLO}c" 2>&1)
like "$err" 'bidi control \(U[+]202E\) at position 3 \(character 3\)' "the message names the kind, code point and position"
like "$err" 'generator "ab<U[+]202E>c"' "and the value, with placeholders"
err=$(pv label "$S" 'id:2' --set "purpose=a${LSEP}b" 2>&1)
like "$err" 'line separator \(U[+]2028\)' "U+2028 named a line separator"
err=$(pv label "$S" 'id:2' --set "note=$(printf 'x%.0s' $(seq 1 4097))" 2>&1)
like "$err" '4097 bytes long; at most 4096' "an overlong value is refused"
pv label "$S" 'id:2' --set "note=caf$(printf '\303\251') $(printf '\360\237\221\215') fine" --yes > /dev/null 2>&1
ok $? "letters and emoji are accepted"

# a rules file's values and a map's are checked when they are read
printf 'rules:\n  - match: {file: "*"}\n    set: {source: "web\\u202e", generator: g}\n' > "$T/r.yaml"
err=$(pv index -q "$T/r.pvx" "$IN" --rules "$T/r.yaml" 2>&1)
is $? 1 "a rules file value with U+202E is refused"
like "$err" 'r.yaml:3:.*"web<U[+]202E>" holds a bidi control' "naming file, line and value"
err=$(pv index -q "$T/r.pvx" "$IN" --source-field id --source-map "x=a${ZWSP}b" 2>&1)
is $? 2 "a --source-map value with U+200B is refused"
like "$err" 'zero-width character \(U[+]200B\)' "naming the character"
ok $([ ! -e "$T/r.pvx" ]; echo $?) "neither makes a store"

# values from records: refused and counted, never stored
printf '{"text":"one","s":"ok"}\n{"text":"two","s":"bad\\u202eval"}\n{"text":"three","n":"x\\u2028y"}\n{"text":"four","s":"fine"}\n' > "$T/vals.jsonl"
pv index "$T/w.pvx" "$T/vals.jsonl" --source-field s --note-field n > "$T/w.out" 2>&1
ok $? "index with refused record values completes"
clean "index's warnings" "$T/w.out"
like "$(cat "$T/w.out")" 'vals.jsonl:2:.*source value "bad<U[+]202E>val" holds a bidi control' "the record's value named with file:line"
like "$(cat "$T/w.out")" 'rejected +2: 2 label value refused' "both records counted"
is "$(pv count "$T/w.pvx" 2>/dev/null)" 2 "the other two are stored"
"$PROVEX" index "$T/w2.pvx" "$T/vals.jsonl" --source-field s --strict > /dev/null 2>&1
is $? 1 "--strict stops at the first refused value"

# ---- input ids that name several documents ----
printf '{"id":"dup","text":"first text"}\n{"id":"dup","text":"second text"}\n{"id":"one","text":"alone"}\n{"id":"d2","text":"x"}\n{"id":"d2","text":"y"}\n' > "$T/ids.jsonl"
pv index "$T/i.pvx" "$T/ids.jsonl" --id-field id > "$T/i.out" 2>&1
ok $? "index with repeated ids"
like "$(cat "$T/i.out")" 'ids +2 --id-field values name more than one document \(4 documents in all.*dup \(2\), d2 \(2\)' \
	"the summary counts and names the repeated ids"
is "$("$PROVEX" index --json -q "$T/i2.pvx" "$T/ids.jsonl" --id-field id | json_num repeated_ids)" 2 "--json: repeated_ids"
out=$(pv cat "$T/i.pvx" --ext dup 2> "$T/c.err")
is "$?:$out" "1:" "cat --ext of an ambiguous id fails and prints no text"
like "$(cat "$T/c.err")" "input id 'dup' names 2 documents" "it says why"
like "$(tr '\n' '|' < "$T/c.err")" 'id 1 .*ids.jsonl, record 1\|  id 2 .*ids.jsonl, record 2' "and lists them"
pv show "$T/i.pvx" --ext dup > /dev/null 2>&1
is $? 1 "show --ext of an ambiguous id fails"
is "$(pv cat "$T/i.pvx" --ext one)" "alone" "an id that names one document still works"

# ---- the interface: the same placeholders, the same rule in its form ----
if command -v tmux > /dev/null 2>&1; then
	. "$top_srcdir/tests/tui/lib.sh"
	export XDG_CONFIG_HOME="$T/cfg"
	tui_start 120 30 browse "$S"
	tui_see ' 1/12 *$' "the interface lists the hostile store"
	printf '%s\n' "$SCREEN" > "$T/tui.out"
	clean "the interface's list" "$T/tui.out"
	like "$SCREEN" '<U[+]202E>' "with placeholders"
	tui_keys g e
	tui_see 'edit document 1' "the edit form"
	tui_keys Tab C-u
	tui_type "web${RLO}x"
	tui_keys Enter
	tui_see 'source: the value for source "web<U[+]202E>x" holds a bidi control' \
		"the form refuses U+202E in source, by the same rule"
	tui_keys Escape
	tui_quit
	is "$TUI_RC" 0 "the interface ends cleanly"
	is "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT source FROM docs WHERE id=1").fetchone()[0])' "$S")" \
		clean "nothing was stored"
else
	skip "tmux is not installed: the interface not tried"
fi

done_testing
