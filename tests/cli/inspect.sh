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
like "$info" "schema +version 4" "info shows the schema version"
like "$info" "synthetic +1 " "info groups by origin"
like "$info" "nasty" "info groups by source"
js=$(pv info "$S" --json)
is "$(printf '%s' "$js" | json_num by_origin.real.documents)" 2 "info --json by origin"
is "$(printf '%s' "$js" | json_num by_source.web.documents)" 2 "info --json by source"

# show: escape sequences made visible, never raw
show=$(pv show "$S" 1)
like "$show" 'clear \^\[\[2J screen \^\[\]0;pwned\^G' "escape sequences shown as ^[ and ^G"
like "$show" '\\u009b' "C1 control shown as \\u009b"
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
  d=json.loads(l); print(sorted(d.keys())[:7], d["bytes"])' | tail -1)" \
	"['bytes', 'dups', 'ext_id', 'file', 'generator', 'id', 'origin'] 8" "ls --json fields"
is "$(pv ls "$S" --limit 2 | wc -l)" 2 "ls --limit"
python3 -c 'print("{\"text\": \"" + "\u2500" * 500 + "\", \"source\": \"" + "\u00e9" * 50 + "\"}")' > "$T/wide.jsonl"
pv index "$T/w.pvx" "$T/wide.jsonl" --source-field source -q
pv ls "$T/w.pvx" | python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8")'
ok $? "ls cuts long lines and fields between characters, never inside one"

# usage
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
