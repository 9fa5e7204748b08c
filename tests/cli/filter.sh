#!/bin/sh
# The filter language on the command line: provex ls FILTER, provex count,
# --sort, --explain and parse errors.
. "$top_srcdir/tests/cli/lib.sh"
S=$T/s.pvx

cat > "$T/in.jsonl" <<'J'
{"id":"r1","text":"The GNU make manual explains rules.","origin":"real","source":"man/make","n":1}
{"id":"r2","text":"Make, GNU style: a short note on building.","origin":"real","source":"doc/readme","n":2}
{"id":"s1","text":"gnu make make gnu synthetic words about nothing at all in particular here","origin":"synthetic","source":"news/a","generator":"markov2","n":3}
{"id":"s2","text":"A template letter.","origin":"synthetic","source":"news/b","generator":"template","n":4}
{"id":"u1","text":"The GNU make manual explains rules.","origin":"unknown","source":"web","n":5}
J
pv index "$S" "$T/in.jsonl" --id-field id --origin-field origin --source-field source \
	--generator-field generator -q
ok $? "index"

ids() {	# ids FILTER [ls options]: the ext ids listed, space-separated
	f=$1; shift
	pv ls "$S" "$f" --json "$@" | python3 -c 'import json,sys
print(" ".join(json.loads(l)["ext_id"] for l in sys.stdin))'
}
is "$(pv count "$S" origin:synthetic)" 2 "count origin:synthetic"
is "$(pv count "$S")" 5 "count without a filter: everything"
is "$(ids 'source:news*')" "s1 s2" "glob"
is "$(ids 'source:man*,web')" "r1 u1" "any of several values"
is "$(ids 'len:>40')" "r2 s1" "length above"
is "$(ids 'len:18..36')" "r1 s2 u1" "length range"
is "$(ids 'words:<5')" "s2" "words below"
is "$(ids 'dup:>1')" "r1 u1" "duplicated texts"
is "$(ids 'meta.n:3')" "s1" "a metadata field"
is "$(ids 'gnu make')" "r1 r2 s1 u1" "words anywhere"
is "$(ids '"gnu make"')" "r1 s1 u1" "a phrase: the words in a row"
is "$(ids '"make manual"')" "r1 u1" "another phrase"
is "$(ids 'gnu -origin:real')" "s1 u1" "negation"
is "$(ids 'origin:real OR generator:template')" "r1 r2 s2" "OR"
is "$(ids '(source:news* OR source:web) -template')" "s1 u1" "groups with negated words"
is "$(ids '' --sort len- --limit 2)" "s1 r2" "--sort len- --limit 2"
is "$(ids 'origin:real,synthetic' --sort source)" "r2 r1 s1 s2" "--sort source"

out=$(pv ls "$S" 'origin:real (source:man* OR len:>2000) -"exact phrase"' --explain)
like "$out" '^filter: origin:real \(source:man\* OR len:>2000\) -"exact phrase"$' "--explain: canonical form"
like "$out" 'sql: +d\.origin = \?1 AND \(d\.source GLOB \?2 OR d\.len > \?3\) AND NOT' "--explain: the SQL"
like "$out" '\?3 +2000' "--explain: parameters bound, never spliced"
is "$(pv ls "$S" 'ORIGIN:Real   source:man*' --explain | head -1)" "filter: origin:real source:man*" "canonical form normalizes"

err=$(pv ls "$S" 'origin:real (source:x' 2>&1 >/dev/null)
st=$?
is $st 2 "a parse error exits 2"
like "$err" "at byte [0-9]+: .*parenthes" "says what was expected and where"
like "$err" "origin:real \(source:x" "shows the filter"
like "$err" '\^' "with a caret under the position"
err=$(pv count "$S" 'colour:red' 2>&1); st=$?
is $st 2 "unknown field: exit 2"
like "$err" "unknown field 'colour'" "names the field"
err=$(pv count "$S" 'len:>2x0' 2>&1)
like "$err" "bad number" "a bad number"
err=$(pv count "$S" 'origin:robot' 2>&1)
like "$err" "real, synthetic" "an origin that does not exist"
err=$(pv count "$S" '"unterminated' 2>&1)
like "$err" "unterminated" "an unbalanced quote"
err=$(pv count "$S" 'source:' 2>&1)
like "$err" "value" "an empty value"
big=$(python3 -c 'print(" ".join(["source:news*"] * 8000))')
is "$(pv count "$S" "$big")" 2 "a 100 KB filter"
err=$(pv ls "$S" --sort colour 2>&1); st=$?
is $st 2 "an unknown sort field: exit 2"
# ---- stats
js=$(pv stats "$S" --json)
is "$(printf '%s' "$js" | python3 -c 'import json,sys; d=json.load(sys.stdin)
print(" ".join("%s=%d/%s/%d" % (g["value"], g["documents"], g["median"], g["p90"]) for g in d["groups"]))')" \
	"real=2/38.5/42 synthetic=2/45.5/73 unknown=1/35/35" \
	"stats: documents, median (of two: their mean) and p90 length per origin"
js=$(pv stats "$S" 'source:news*' --by generator --json)
is "$(printf '%s' "$js" | python3 -c 'import json,sys; d=json.load(sys.stdin)
print(d["documents"], " ".join("%s:%.2f" % (g["value"], g["share"]) for g in d["groups"]))')" \
	"2 markov2:0.50 template:0.50" "stats FILTER --by generator, with shares"
out=$(pv stats "$S")
like "$out" "^origin +documents +share" "stats: a header"
like "$out" "real +2 +40\.0% (#{8}|(█){8}) " "stats: a bar drawn in text"
like "$(pv stats "$S" 'origin:unknown source:none')" "no documents match" "stats: nothing matches"
pv stats "$S" --by colour 2>/dev/null
is $? 2 "stats: an unknown group field"
done_testing
