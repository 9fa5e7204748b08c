#!/bin/sh
# Hostile input: every record is stored as Python reads it or refused
# loudly (file:line:column, counted).  Raw control characters in JSON
# strings, duplicate keys (the last wins), text that is not a string,
# UTF-16/UTF-32 input, duplicate CSV header names, documents over the
# size limit, /dev/zero.  Every store built here holds valid JSON metadata.
. "$top_srcdir/tests/cli/lib.sh"

# meta_valid STORE...: "ROWS INVALID" - rows of docs, and those whose meta
# is not valid JSON for SQLite, in all the stores
meta_valid() {
	python3 - "$@" <<'PY'
import sqlite3, sys
rows = bad = 0
for path in sys.argv[1:]:
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    n, b = db.execute("SELECT count(*), coalesce(sum(meta IS NOT NULL AND "
                      "NOT json_valid(meta)), 0) FROM docs").fetchone()
    if b:
        print("#", path, b, "invalid", file=sys.stderr)
    rows += n
    bad += b
print(rows, bad)
PY
}

# jsonl_ok FILE: "LINES BAD" - lines, and those Python's json cannot read
jsonl_ok() {
	python3 - "$1" <<'PY'
import json, sys
n = bad = 0
for line in open(sys.argv[1], "rb"):
    n += 1
    try:
        json.loads(line.decode("utf-8"))
    except Exception:
        bad += 1
print(n, bad)
PY
}

# ---- the issue's example: a raw TAB in a string
S=$T/t.pvx
printf '{"text":"good one","v":"abc"}\n{"text":"ok","v":"x\ty"}\n' > "$T/in.jsonl"
pv index "$S" "$T/in.jsonl" 2>"$T/err"
ok $? "a raw TAB is a rejected record, not a failed run"
err=$(cat "$T/err")
like "$err" 'in.jsonl:2:20: .*U\+0009 \(tab\).*\\t' \
	"the TAB is named at file:line:column with its escape"
like "$err" 'rejected  1: 1 unescaped control character in a JSON string' \
	"counted in the summary's reasons"
is "$(pv count "$S" 'meta.v:abc' 2>&1)" 1 "meta filters work on the store"
is "$(meta_valid "$S")" "1 0" "docs.meta is valid JSON in every row"
pv export "$S" -o "$T/out.jsonl" 2>/dev/null
ok $? "export runs"
is "$(jsonl_ok "$T/out.jsonl")" "1 0" "every exported line parses with python3"

# ---- control characters at various places, each refused and counted
: > "$T/ctl.jsonl"
for c in 001 010 011 012 013 015 033 037 000; do
	[ "$c" = 012 ] && continue     # a line feed ends the line in JSONL
	printf "{\"text\":\"in value \\$c x\"}\\n" >> "$T/ctl.jsonl"
	printf "{\"text\":\"key\",\"k\\${c}k\":1}\\n" >> "$T/ctl.jsonl"
	printf "{\"text\":\"nested\",\"m\":{\"a\":[\"z\\$c\"]}}\\n" >> "$T/ctl.jsonl"
	printf "\"bare \\$c string\"\\n" >> "$T/ctl.jsonl"
done
printf '{"text":"escaped \\t \\u0001 \\u001f fine"}\n' >> "$T/ctl.jsonl"
out=$(pv index "$T/c.pvx" "$T/ctl.jsonl" --json 2>"$T/err")
is "$(printf '%s' "$out" | json_num added)" 1 "only the record with escapes is kept"
is "$(printf '%s' "$out" | python3 -c 'import json,sys
print(json.load(sys.stdin)["rejected_by_reason"].get("unescaped control character in a JSON string"))')" \
	32 "32 raw controls in values, keys, nested and bare strings refused"
is "$(grep -c 'unescaped control character U+00' "$T/err")" 20 \
	"each is reported (up to the warning limit)"

# the whole-file JSON reader refuses them too, at the element's line
printf '[{"text":"a"},\n{"text":"b\tc"},\n{"text":"d","k":{"x\001":1}}]\n' > "$T/ctl.json"
pv index "$T/cj.pvx" "$T/ctl.json" 2>"$T/err"
like "$(cat "$T/err")" 'ctl.json:2:11: .*U\+0009' "JSON array: the TAB located at 2:11"
like "$(cat "$T/err")" 'ctl.json:3:20: .*U\+0001' "JSON array: a control in a nested key at 3:20"
is "$(pv count "$T/cj.pvx" '' 2>&1)" 1 "JSON array: the good element is kept"

# ---- conformance: each line stored as Python reads it, or refused
python3 - "$T/conf.jsonl" <<'PY'
import sys
cases = [
    r'{"text":"plain","a":1}',
    '{"text":"raw\ttab"}',
    '{"text":"ok","k\x1f":"raw control in a key"}',
    '{"text":"ok","m":{"x":"raw \x7f DEL is fine"}}',
    r'{"text":"first","text":"second"}',
    r'{"text":"t","k":1,"k":2,"k":3}',
    r'{"text":"t","o":{"a":1,"a":{"b":1,"b":2}},"arr":[{"q":1,"q":2}]}',
    r'{"text":"t","a\u0062":1,"ab":2}',
    r'{"text":"esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00"}',
    r'{"text":"nul \u0000 inside","n":-0.0,"e":1E+2,"big":1e400}',
    r'{"text":"deep","d":[[[[[[[[[[{"x":[1,{"y":null}]}]]]]]]]]]]}',
    r'{"text":"x",}',
    r"{'text':'x'}",
    r'{"text":"x"}{"a":1}',
    r'{"text":"x","n":NaN}',
    r'{"text":"x","n":01}',
    r'{"text":"x" "y":1}',
    r'{"text":"bidi \u202e and sep \u2028 kept"}',
    '{"text":"utf8 \u00e9\u4e2d\U0001F600"}',
    r'{"text":"x","t":true,"f":false,"z":null,"s":"","e":{},"l":[]}',
    r'{"text":"x","":"empty key","":"again"}',
]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for c in cases:
        f.write(c + "\n")
PY
pv index "$T/conf.pvx" "$T/conf.jsonl" --json > "$T/conf.sum" 2>/dev/null
pv export "$T/conf.pvx" -o "$T/conf.out.jsonl" --keep-dups --fields text,ext_id,meta 2>/dev/null
ok $? "conformance: export runs"
res=$(python3 - "$T/conf.jsonl" "$T/conf.out.jsonl" "$T/conf.sum" <<'PY'
import json, sys
def strict(s):
    def bad(c): raise ValueError(c)
    return json.loads(s, parse_constant=bad)
want, refused = {}, 0
for i, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    try:
        d = strict(line)
    except ValueError:
        refused += 1
        continue
    want[i] = d
got = {}
for line in open(sys.argv[2], encoding="utf-8"):
    r = json.loads(line)
    got[int(r["ext_id"].rsplit(":", 1)[1])] = r
summary = json.load(open(sys.argv[3]))
errors = []
for i, d in want.items():
    r = got.get(i)
    if r is None:
        errors.append("line %d: not stored" % i); continue
    if r["text"] != d["text"]:
        errors.append("line %d: text %r, Python %r" % (i, r["text"], d["text"]))
    meta = {k: v for k, v in d.items() if k != "text"}
    if (r["meta"] or {}) != meta:
        errors.append("line %d: meta %r, Python %r" % (i, r["meta"], meta))
for i in got:
    if i not in want:
        errors.append("line %d: stored, Python refuses it" % i)
if summary["rejected"] != refused:
    errors.append("rejected %d, Python refuses %d" % (summary["rejected"], refused))
print("; ".join(errors) or "ok %d %d" % (len(want), refused))
PY
)
is "$res" "ok 13 8" "conformance: 13 lines stored as Python reads them, 8 refused and counted"
is "$(pv count "$T/conf.pvx" 'meta.k:3' 2>&1) $(pv count "$T/conf.pvx" 'meta.k:1' 2>&1)" "1 0" \
	"conformance: meta.k filters see the last value"
is "$(printf '%s' "$(cat "$T/conf.sum")" | json_num records_with_duplicate_keys)" 5 \
	"conformance: 5 records with duplicate keys counted"

# ---- duplicate keys: the last wins for text, id and metadata
printf '{"text":"first","text":"second","id":"a","id":"b","k":"x","k":"y"}\n' > "$T/dup.jsonl"
pv index "$T/d.pvx" "$T/dup.jsonl" --id-field id 2>"$T/err"
ok $? "duplicate keys: indexed"
like "$(cat "$T/err")" 'dup.jsonl:1:1: duplicate key "text" \(and others\): the last value is kept' \
	"duplicate keys: warned with the first key"
like "$(cat "$T/err")" 'note      1 records have a key twice .*first: "text" at .*dup.jsonl:1' \
	"duplicate keys: the summary counts them and names the first"
is "$(pv cat "$T/d.pvx" --ext b 2>&1)" "second" "duplicate keys: the last text and the last id"
is "$(pv count "$T/d.pvx" 'meta.k:y' 2>&1) $(pv count "$T/d.pvx" 'meta.k:x' 2>&1)" "1 0" \
	"duplicate keys: meta.k is the last value"

# ---- text that is not a string says what it is and what to do
printf '{"text":null}\n{"text":42}\n{"text":{"a":1}}\n{"text":["a"]}\n{"text":true}\n{"body":"x"}\n' \
	> "$T/kinds.jsonl"
out=$(pv index "$T/k.pvx" "$T/kinds.jsonl" --json 2>"$T/err")
err=$(cat "$T/err")
like "$err" 'kinds.jsonl:1:1: text field "text" is null, not a string: .*--text-field.*--text-template' \
	"null text: named as null, with what to do"
like "$err" 'kinds.jsonl:2:1: text field "text" is a number' "number text named"
like "$err" 'kinds.jsonl:3:1: text field "text" is an object' "object text named"
like "$err" 'kinds.jsonl:4:1: text field "text" is an array' "array text named"
like "$err" 'kinds.jsonl:5:1: text field "text" is true \(a boolean\)' "boolean text named"
like "$err" 'kinds.jsonl:6:1: no "text" field' "a missing field is still a missing field"
is "$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin)["rejected_by_reason"]
print(d["text field is null"], d["text field not a string"], d["missing text field"])')" \
	"1 4 1" "counted by what they are"

# ---- UTF-16 and UTF-32, with and without a byte order mark
printf '{"text":"hello"}\n{"text":"world"}\n' > "$T/u8.jsonl"
n=0
for enc in UTF-16 UTF-16LE UTF-16BE UTF-32 UTF-32LE UTF-32BE; do
	for ext in jsonl json; do
		if [ $ext = json ]; then
			printf '[{"text":"hello"}]' | iconv -f UTF-8 -t $enc > "$T/u.$ext" || continue
		else
			iconv -f UTF-8 -t $enc "$T/u8.jsonl" > "$T/u.$ext" || continue
		fi
		"$PROVEX" index "$T/u.pvx" "$T/u.$ext" 2>"$T/err"
		rc=$?
		name=$enc
		case $enc in UTF-16|UTF-32) name=$enc..;; esac   # with a BOM: LE here
		if [ $rc -eq 1 ] && grep -q "the input is $name text .*not UTF-8: nothing read; convert it first, e.g. iconv -f $enc" "$T/err"; then
			n=$((n + 1))
		else
			echo "# $enc $ext: rc $rc: $(cat "$T/err")"
		fi
	done
done
is "$n" 12 "UTF-16/32 (BOM or not, JSONL or JSON) refused, named, with the iconv command"
printf 'id,text\n1,hi\n' | iconv -f UTF-8 -t UTF-16 > "$T/u.csv"
pv index "$T/u.pvx" "$T/u.csv" -q 2>"$T/err"
is $? 1 "UTF-16 CSV refused"
like "$(cat "$T/err")" 'u\.csv:1:1: the input is UTF-16.. text' "and said under -q too: the exit status is 1"
is "$(pv count "$T/u.pvx" '' 2>/dev/null || echo 0)" 0 "nothing of them is stored"
iconv -f UTF-16 -t UTF-8 "$T/u.csv" > "$T/u8.csv"
is "$(pv index "$T/u8.pvx" "$T/u8.csv" --json 2>/dev/null | json_num added)" 1 \
	"converted as told, it is read"

# ---- duplicate CSV header names
printf 'id,text,text\n1,a,b\n' > "$T/dup.csv"
pv index "$T/dc.pvx" "$T/dup.csv" 2>"$T/err"
is $? 1 "a CSV header naming a column twice fails the input"
like "$(cat "$T/err")" 'dup.csv:1:1: the CSV header names column "text" twice \(columns 2 and 3\)' \
	"the column and both positions are named"
printf 'text,id,x,ID,id\n1,a,b,c,d\n' > "$T/dup2.csv"
"$PROVEX" index -q "$T/dc2.pvx" "$T/dup2.csv" 2>"$T/err"
like "$(cat "$T/err")" 'names column "id" twice \(columns 2 and 5\)' "names differing in case are different"
unlike "$(cat "$T/err")" 'names column "x"' "and no other column"

# ---- the size limit
x3000=$(head -c 3000 /dev/zero | tr '\0' x)
printf '{"text":"small"}\n{"text":"%s"}\n{"text":"after"}\n' "$x3000" > "$T/big.jsonl"
"$PROVEX" index "$T/b.pvx" "$T/big.jsonl" --max-doc-size 2K 2>"$T/err"
ok $? "a document over the limit is a rejected record"
like "$(cat "$T/err")" 'big.jsonl:2:1: document of 3011 bytes is over the limit of 2048 bytes: skipped \(raise the limit with --max-doc-size\)' \
	"named with its line and size"
like "$(cat "$T/err")" 'rejected  1: 1 document too large' "counted"
is "$("$PROVEX" count "$T/b.pvx" '' 2>&1)" 2 "the documents around it are kept"
"$PROVEX" index "$T/b2.pvx" "$T/big.jsonl" --max-doc-size 4K -q 2>/dev/null
is "$("$PROVEX" count "$T/b2.pvx" '' 2>&1)" 3 "a larger limit takes it"
head -c 5000 /dev/zero | tr '\0' 'y' > "$T/big.txt"
"$PROVEX" index "$T/bt.pvx" "$T/big.txt" --max-doc-size 4K 2>"$T/err"
like "$(cat "$T/err")" 'big.txt:1:1: document of more than 4097 bytes is over the limit of 4096' \
	"a text file over the limit"
"$PROVEX" index "$T/bx.pvx" "$T/big.txt" --max-doc-size 12Q 2>"$T/err"
is $? 2 "a bad --max-doc-size is a usage error"
like "$(cat "$T/err")" "max-doc-size must be" "... saying what it wants"
"$PROVEX" index --help | grep -q -- '--max-doc-size SIZE'
ok $? "--max-doc-size is in --help"

# /dev/zero: refused within the limit, never out of memory
if [ -r /dev/zero ]; then
	timeout 60 "$PROVEX" index "$T/z.pvx" /dev/zero --max-doc-size 64K 2>"$T/err"
	rc=$?
	ok $([ $rc -ne 124 ] && [ $rc -lt 128 ] && echo 0 || echo 1) "/dev/zero as text ends (status $rc)"
	like "$(cat "$T/err")" '/dev/zero:1:1: document of more than 65537 bytes is over the limit' \
		"/dev/zero as text: too large"
	timeout 60 "$PROVEX" index "$T/z.pvx" /dev/zero --format jsonl --max-doc-size 64K 2>"$T/err"
	is $? 1 "/dev/zero as JSONL fails the input"
	like "$(cat "$T/err")" 'runs on for more than [0-9]+ bytes without ending \(16 times' \
		"/dev/zero as JSONL: stopped with the reason"
else
	skip "no /dev/zero"; skip "no /dev/zero"; skip "no /dev/zero"; skip "no /dev/zero"
fi

# a store of an older provex can hold metadata with a raw TAB: a meta.
# filter says what it is and what to do; the interface shows it as stored
# (made safe), not nothing
printf '{"text":"old store","v":"abc"}\n' > "$T/old.jsonl"
pv index "$T/old-store" "$T/old.jsonl" -q
python3 - "$T/old-store" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE docs SET meta = ?", ('{"v":"x\ty"}',))
db.commit()
PY
pv count "$T/old-store" 'meta.v:abc' 2>"$T/err"
is $? 1 "a meta. filter over metadata an older provex stored fails"
like "$(cat "$T/err")" 'malformed JSON: the stored metadata of a document is not valid JSON .*index its inputs again' \
	"... saying why and what to do"
if command -v tmux > /dev/null 2>&1; then
	. "$top_srcdir/tests/tui/lib.sh"
	tui_start 160 45 browse "$T/old-store"
	tui_wait 'old store' > /dev/null
	tui_keys Enter
	tui_wait '^#1 ' > /dev/null
	tui_keys m
	tui_see 'meta \(not valid JSON\) +\{"v":"x.y"\}' \
		"the reader shows stored metadata that is not valid JSON, with a note"
	tui_quit
else
	skip "tmux is not installed"
fi
stores=
for s in "$T"/*.pvx; do
	[ -s "$s" ] && stores="$stores $s"
done
v=$(meta_valid $stores)
like "$v" "^[1-9][0-9]* 0$" "json_valid(meta) holds in every row of every store built here ($v)"

done_testing
