#!/bin/sh
# info, show, cat and ls: what people and programs see of a store.
. "$top_srcdir/tests/cli/lib.sh"
S=$T/s.pvx

printf '{"id":"e1","text":"clear \\u001b[2J screen \\u001b]0;pwned\\u0007 title \\u009b bell\\u0007","origin":"synthetic","source":"nasty"}\n' > "$T/n.jsonl"
printf '{"id":"e2","text":"caf\\u00e9 \\u4e2d\\u6587 \\ud83d\\ude00\\nsecond line","origin":"real","source":"web"}\n' >> "$T/n.jsonl"
printf '{"id":"e3","text":"nul\\u0000byte","origin":"real","source":"web","generator":"g"}\n' >> "$T/n.jsonl"
pv index "$S" "$T/n.jsonl" --id-field id --origin-field origin --source-field source \
	--generator-field generator -q
ok $? "index"

# info
info=$(pv info "$S")
like "$info" "documents +3 " "info counts documents"
like "$info" "schema +version 6" "info shows the schema version"
like "$info" "synthetic +1 " "info groups by origin"
like "$info" "nasty" "info groups by source"
js=$(pv info "$S" --json)
is "$(printf '%s' "$js" | json_num by_origin.real.documents)" 2 "info --json by origin"
is "$(printf '%s' "$js" | json_num by_source.web.documents)" 2 "info --json by source"

# show: escape sequences made visible, never raw
show=$(pv show "$S" 1)
like "$show" 'clear \^\[\[2J screen \^\[\]0;pwned\^G' "escape sequences shown as ^[ and ^G"
like "$show" '<U[+]009B>' "C1 control shown as <U+009B>"
ok $(printf '%s' "$show" | od -An -c | grep -q '033' && echo 1 || echo 0) "no ESC byte reaches the output"
like "$(pv show "$S" 2)" 'café 中文 😀' "UTF-8 text shown as it is"
like "$(pv show "$S" 3)" 'nul\^@byte' "NUL shown as ^@"
like "$(pv show "$S" --ext e2)" "^id +2" "show --ext"

# cat: exact bytes
pv cat "$S" 1 > "$T/out1"
printf 'clear \033[2J screen \033]0;pwned\007 title \302\233 bell\007' > "$T/want1"
ok $(cmp -s "$T/out1" "$T/want1"; echo $?) "cat writes the exact bytes, escapes included"
pv cat "$S" 3 > "$T/out3"
printf 'nul\000byte' > "$T/want3"
ok $(cmp -s "$T/out3" "$T/want3"; echo $?) "cat keeps NUL bytes"
is "$(pv cat "$S" 2 3 | wc -c)" 37 "several ids in a row"
err=$(pv cat "$S" 42 2>&1 >/dev/null)
ok $([ $? -eq 1 ] && echo 0 || echo 1) "a missing id fails with status 1"
like "$err" "no document with id 42" "and says so"
err=$(pv cat "$S" abc 2>&1)
like "$err" "not a document id" "a non-numeric id is explained"

# ls
ls=$(pv ls "$S")
is "$(printf '%s\n' "$ls" | wc -l)" 3 "ls: one line per document"
like "$(printf '%s\n' "$ls" | sed -n 1p)" '^1	e1	synthetic	nasty	-	-	[0-9]+	clear \^\[\[2J' "ls: tab-separated columns, first line sanitized"
ok $(printf '%s' "$ls" | od -An -c | grep -q '033' && echo 1 || echo 0) "ls: no ESC byte"
is "$(pv ls "$S" --json | python3 -c 'import json,sys
for l in sys.stdin:
  d=json.loads(l); print(sorted(d.keys()), d["bytes"])' | tail -1)" \
	"['bytes', 'dups', 'ext_id', 'file', 'generator', 'id', 'label', 'note', 'origin', 'purpose', 'reviewed_at', 'reviewer', 'score', 'source', 'words'] 8" \
	"ls --json fields, review state and score included"
is "$(pv ls "$S" --limit 2 | wc -l)" 2 "ls --limit"
python3 -c 'print("{\"text\": \"" + "\u2500" * 500 + "\", \"source\": \"" + "\u00e9" * 50 + "\"}")' > "$T/wide.jsonl"
pv index "$T/w.pvx" "$T/wide.jsonl" --source-field source -q
pv ls "$T/w.pvx" | python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8")'
ok $? "ls cuts long lines and fields between characters, never inside one"

# ---- columns that keep what matters ----
# ls: a long input id keeps its end (the file name and line) and loses
# its middle; other values are cut at their end; every cut is marked
D=$T/a/very/long/folder/name/that/goes/on/and/on/and/on
mkdir -p "$D"
python3 -c 'import json
for i in range(12): print(json.dumps({"text": "line %d " % i + "x" * 300, "src": "s" * 50}))' > "$D/part-0001.jsonl"
pv index "$T/c.pvx" "$D/part-0001.jsonl" --source-field src -q
ok $? "index a file deep in folders"
ls=$(LC_ALL=C.UTF-8 pv ls "$T/c.pvx")
row=$(printf '%s\n' "$ls" | sed -n 12p)
ext=$(printf '%s' "$row" | cut -f2)
like "$ext" '^/.*….*/on/and/on/part-0001\.jsonl:12$' \
	"ls: a long input id loses its middle, keeps its end ($ext)"
is "$(printf '%s' "$ext" | python3 -c 'import sys; print(len(sys.stdin.read()))')" 60 \
	"and fills its 60 characters"
is "$(printf '%s\n' "$ls" | cut -f2 | sort -u | wc -l)" 12 \
	"12 documents of one long file: 12 different input ids shown"
like "$(printf '%s' "$row" | cut -f4)" '^s{39}…$' "a long source is cut at its end, with an ellipsis"
like "$(printf '%s' "$row" | cut -f8)" '^line 11 x+…$' "so is the first line of the text"
row=$(LC_ALL=C pv ls "$T/c.pvx" | sed -n 12p)
like "$row" '^12	/[^	]*\.\.\.[^	]*part-0001\.jsonl:12	unknown	s{37}\.\.\.	' \
	"without UTF-8 (LC_ALL=C) the cuts are marked with three dots"
unlike "$row" "$(printf '\342\200\246')" "and no ellipsis character"
is "$(pv ls "$T/c.pvx" --json | python3 -c 'import json,sys
d=[json.loads(l) for l in sys.stdin][11]; print(d["ext_id"].endswith("/and/on/part-0001.jsonl:12"), len(d["source"]))')" \
	"True 50" "ls --json cuts nothing"

# info: every value cut to its column ends with an ellipsis
info=$(LC_ALL=C.UTF-8 pv info "$T/c.pvx")
like "$info" '^  s{25}… +12 ' "info: a long source is cut to 26 characters, the last an ellipsis"
like "$(LC_ALL=C pv info "$T/c.pvx")" '^  s{23}\.\.\. +12 ' "three dots without UTF-8"
like "$(pv info "$T/c.pvx" --json)" '"s{50}"' "info --json gives it whole"

# ls --json: the review state and the latest detect score
python3 -c 'import json
for i in range(20):
    print(json.dumps({"id": "r%d" % i, "origin": "real" if i % 2 else "synthetic",
                      "text": ("the river and the town %d" if i % 2 else "delve into the tapestry %d") % i}))' > "$T/r.jsonl"
pv index "$T/r.pvx" "$T/r.jsonl" --id-field id --origin-field origin -q
js=$(pv ls "$T/r.pvx" 'ext:r3' --json)
is "$(printf '%s' "$js" | json_num label)/$(printf '%s' "$js" | json_num score)" "None/None" \
	"ls --json: label and score are null before any review or detect run"
pv label "$T/r.pvx" 'ext:r3' --set label=keep --set 'note=reads "human"' --reviewer ann > /dev/null &&
	pv detect "$T/r.pvx" --folds 2 > /dev/null 2>&1
ok $? "label a document and run provex detect"
js=$(pv ls "$T/r.pvx" 'ext:r3' --json)
is "$(printf '%s' "$js" | python3 -c 'import json,sys; d=json.load(sys.stdin)
print(d["label"], d["note"], d["reviewer"], len(d["reviewed_at"]) > 9, 0 <= d["score"] <= 1)')" \
	'keep reads "human" ann True True' "ls --json carries label, note, reviewer, reviewed_at and the score"
is "$(pv ls "$T/r.pvx" --json | python3 -c 'import json,sys
print(sum(json.loads(l)["score"] is not None for l in sys.stdin))')" 20 "every scored document has its score"
is "$(pv ls "$T/r.pvx" 'score:>0.5' --json | python3 -c 'import json,sys
print(all(json.loads(l)["score"] > 0.5 for l in sys.stdin))')" True "the score is the one score: filters"

# stats --by file: paths relative to the folder the files share, said
# once; two files with the same name in different folders stay apart,
# even given by the same relative name from two folders
mkdir -p "$T/corp/a" "$T/corp/b"
printf '%s\n' '{"text":"0123456789"}' '{"text":"0123456789abc"}' > "$T/corp/a/data.jsonl"
printf '%s\n' '{"text":"one"}' > "$T/corp/b/data.jsonl"
(cd "$T/corp/a" && pv index "$T/f.pvx" data.jsonl -q) && (cd "$T/corp/b" && pv index "$T/f.pvx" data.jsonl -q)
ok $? "index a/data.jsonl and b/data.jsonl, each as data.jsonl from its folder"
out=$(pv stats "$T/f.pvx" --by file)
is "$(printf '%s\n' "$out" | sed -n 1p)" "files in $T/corp/" "stats --by file names the common folder once"
like "$out" '^a/data\.jsonl +2 +66\.7% ' "then a/data.jsonl"
like "$out" '^b/data\.jsonl +1 +33\.3% ' "and b/data.jsonl apart"
like "$out" '^a/data\.jsonl .* 11\.5 +13$' "the median of 10 and 13 bytes is 11.5, exact"
is "$(printf '%s\n' "$out" | grep -c "$T")" 1 "the folder is said once"
is "$(pv stats "$T/f.pvx" --by file --json | python3 -c 'import json,sys; d=json.load(sys.stdin)
print(d["folder"], " ".join("%s=%s:%s" % (g["relative"], g["value"], g["median"]) for g in d["groups"]))')" \
	"$T/corp/ a/data.jsonl=$T/corp/a/data.jsonl:11.5 b/data.jsonl=$T/corp/b/data.jsonl:3" \
	"stats --by file --json: the folder, each file's path and relative path"
printf '%s\n' '{"text":"from standard input"}' | pv index "$T/f.pvx" - -q
like "$(pv stats "$T/f.pvx" --by file)" '^\(stdin\) +1 ' "standard input is a group of its own, (stdin)"

# usage
pv count --help > "$T/help"
like "$(sed -n 1p "$T/help")" '^Usage: provex count STORE' "count --help is count's help"
unlike "$(cat "$T/help")" 'Usage: provex ls' "not ls's"
like "$(cat "$T/help")" 'origin:synthetic' "with the filter language"
pv ls --help > "$T/help"
fields=$(pv ls "$S" --sort nothing-like-this 2>&1 | sed -n 's/.*sort fields: \([^)]*\)).*/\1/p')
like "$fields" 'score' "the sort fields, as ls's error gives them ($fields)"
missing=
for f in $(printf '%s' "$fields" | tr ',' ' '); do
	tr '\n' ' ' < "$T/help" | grep -Eq "FIELD is one of:.*[ ,]$f(,|[ ]|$)" || missing="$missing $f"
done
is "$missing" "" "ls --help lists every sort field"
pv --help > "$T/help"
like "$(cat "$T/help")" "index +STORE INPUT" "provex --help lists commands"
pv frobnicate 2>/dev/null
is $? 2 "unknown command: status 2"
pv index 2>/dev/null
is $? 2 "missing arguments: status 2"
pv index "$T/q.pvx" x --level 99 2>/dev/null
is $? 2 "bad option value: status 2"
like "$(pv index --help)" "--text-template" "index --help"
out=$(pv info "$T/none.pvx" 2>&1)
like "$out" "no such store" "a missing store is explained"
ok $([ ! -e "$T/none.pvx" ] && echo 0 || echo 1) "and not created"

done_testing
