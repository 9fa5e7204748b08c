#!/bin/sh
# Bad input gets a clear error and never loses the good data around it.
. "$top_srcdir/tests/cli/lib.sh"
S=$T/s.pvx

# ---- malformed JSON, non-objects, missing/odd text fields, empty texts
cat > "$T/bad.jsonl" <<'J'
{"text": "good one"}
{"text": "broken" "oops"}
42
["an", "array"]
{"body": "no text field"}
{"text": 17}
{"text": ""}
{"text": "good two"}
J
out=$(pv index "$S" "$T/bad.jsonl" --json 2>"$T/err")
ok $? "bad records do not fail the run"
err=$(cat "$T/err")
like "$err" "bad.jsonl:2:19: .*(expected|malformed)" "malformed line reported with file:line:column"
like "$err" "bad.jsonl:3:.*not an object or string" "a number is rejected with the reason"
like "$err" "bad.jsonl:5:.*no \"text\" field" "missing text field named"
like "$err" "bad.jsonl:6:.*not a string" "non-string text"
like "$err" "bad.jsonl:7:.*empty text" "empty text"
is "$(printf '%s' "$out" | json_num added)" 2 "the two good documents are kept"
is "$(printf '%s' "$out" | json_num rejected)" 6 "six rejected"
is "$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin)["rejected_by_reason"]
print(d["malformed JSON"], d["not an object or string"], d["missing text field"], d["text field not a string"], d["empty text"])')" \
	"1 2 1 1 1" "counted by reason"
pv index "$T/h.pvx" "$T/bad.jsonl" 2>&1 | grep -q "rejected  6: 1 malformed JSON"
ok $? "the summary counts rejections by reason"

# ---- --strict: stop with status 1, keep nothing of the run
pv index "$T/strict.pvx" "$T/bad.jsonl" --strict -q 2>"$T/err"
is $? 1 "--strict exits 1"
like "$(cat "$T/err")" "bad.jsonl:2:19" "--strict names the bad line"
ok $(test -e "$T/strict.pvx" && echo 1 || echo 0) \
	"--strict keeps no partial batch (nor the store it created: readonly.sh)"

# ---- invalid UTF-8 and NUL bytes round-trip
printf '{"text": "bad \377\376 bytes"}\n{"text": "nul\\u0000inside"}\n' > "$T/u.jsonl"
out=$(pv index "$T/u.pvx" "$T/u.jsonl" --json 2>/dev/null)
is "$(printf '%s' "$out" | json_num invalid_utf8_kept)" 1 "invalid UTF-8 kept and counted"
pv cat "$T/u.pvx" 1 > "$T/o1"; printf 'bad \377\376 bytes' > "$T/w1"
ok $(cmp -s "$T/o1" "$T/w1"; echo $?) "invalid UTF-8 round-trips byte-exact"
pv cat "$T/u.pvx" 2 > "$T/o2"; printf 'nul\000inside' > "$T/w2"
ok $(cmp -s "$T/o2" "$T/w2"; echo $?) "NUL bytes round-trip"
printf 'plain \377 text\000 with nul' > "$T/raw.txt"
pv index "$T/u.pvx" "$T/raw.txt" -q
pv cat "$T/u.pvx" --ext "$T/raw.txt" > "$T/o3"
ok $(cmp -s "$T/o3" "$T/raw.txt"; echo $?) "a text file with NUL and bad bytes round-trips"

# ---- huge documents: 100 MB, and a 1 MB single line
if [ -z "${PROVEX_VALGRIND:-}" ]; then
	python3 -c 'import sys
sys.stdout.write("{\"text\": \"" + ("lorem ipsum dolor sit amet " * 3900000)[:104857600] + "\"}\n")' > "$T/big.jsonl"
	pv index "$T/big.pvx" "$T/big.jsonl" -q
	ok $? "a 100 MB document is indexed"
	is "$(pv cat "$T/big.pvx" 1 | wc -c)" 104857600 "and read back whole"
	rm -f "$T/big.jsonl" "$T/big.pvx"*
else
	skip "100 MB document: not under valgrind"
	skip "100 MB document read back: not under valgrind"
fi
python3 -c 'print("{\"text\": \"" + "x" * 1048576 + "\", \"k\": 1}")' > "$T/line.jsonl"
pv index "$T/line.pvx" "$T/line.jsonl" -q
is "$(pv cat "$T/line.pvx" 1 | wc -c)" 1048576 "a 1 MB single line"

# ---- truncated compressed inputs: an error naming the file, nothing of
# them kept (a compressed input is kept only whole: damaged_input.sh)
python3 -c 'import random
r = random.Random(1)
for i in range(3000): print("{\"text\": \"document %d %s\"}" % (i, " ".join(str(r.random()) for _ in range(20))))' > "$T/many.jsonl"
gzip -c "$T/many.jsonl" > "$T/full.gz"
head -c $(( $(wc -c < "$T/full.gz") / 2 )) "$T/full.gz" > "$T/cut.jsonl.gz"
pv index "$T/g.pvx" "$T/cut.jsonl.gz" -q 2>"$T/err"
is $? 1 "truncated .gz: status 1"
like "$(cat "$T/err")" "cut.jsonl.gz.*(truncated|unexpected end)" "the error names the file"
n=$(sqlite3 "$T/g.pvx" 'SELECT count(*) FROM docs' 2>/dev/null)
is "${n:-0}" 0 "truncated .gz: none of its documents are kept"
zstd -q -c "$T/many.jsonl" > "$T/full.zst"
head -c $(( $(wc -c < "$T/full.zst") / 2 )) "$T/full.zst" > "$T/cut.jsonl.zst"
pv index "$T/zz.pvx" "$T/cut.jsonl.zst" -q 2>"$T/err"
is $? 1 "truncated .zst: status 1"
like "$(cat "$T/err")" "cut.jsonl.zst.*truncated" "the error names the file"
n=$(sqlite3 "$T/zz.pvx" 'SELECT count(*) FROM docs' 2>/dev/null)
is "${n:-0}" 0 "truncated .zst: none of its documents are kept"

# ---- paths that do not exist or cannot be read
printf '{"text":"fine"}\n' > "$T/fine.jsonl"
pv index "$T/p.pvx" "$T/nope.jsonl" "$T/fine.jsonl" -q 2>"$T/err"
is $? 1 "a missing input: status 1"
like "$(cat "$T/err")" "nope.jsonl.*No such file" "the error names it"
is "$(pv info "$T/p.pvx" --json | json_num documents)" 1 "the other input is indexed"
mkdir -p "$T/ro/sub"
printf 'readable\n' > "$T/ro/a.txt"
printf 'secret\n' > "$T/ro/b.txt"
printf 'deeper\n' > "$T/ro/sub/c.txt"
chmod 000 "$T/ro/b.txt" "$T/ro/sub"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 777 "$T"
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$PROVEX" index "$T/ro.pvx" "$T/ro" -q 2>"$T/err"
	st=$?
else
	pv index "$T/ro.pvx" "$T/ro" -q 2>"$T/err"
	st=$?
fi
is $st 1 "a folder with unreadable files: status 1"
like "$(cat "$T/err")" "b.txt.*Permission denied" "the unreadable file is named"
like "$(cat "$T/err")" "sub.*Permission denied" "the unreadable folder is named"
is "$(pv info "$T/ro.pvx" --json | json_num documents)" 1 "the readable file is indexed"
chmod 755 "$T/ro/sub"; chmod 644 "$T/ro/b.txt"

# ---- a store path holding something else
printf 'precious\n' > "$T/notes.txt"
pv index "$T/notes.txt" "$T/fine.jsonl" -q 2>"$T/err"
is $? 1 "a file that is not a store: status 1"
like "$(cat "$T/err")" "not a provex store" "refused with the reason"
is "$(cat "$T/notes.txt")" "precious" "and never overwritten"
sqlite3 "$T/other.db" "CREATE TABLE t(x)"
pv index "$T/other.db" "$T/fine.jsonl" -q 2>"$T/err"
like "$(cat "$T/err")" "SQLite database but not a provex store" "another database refused"

# ---- a store with a newer schema version
pv index "$T/new.pvx" "$T/fine.jsonl" -q
sqlite3 "$T/new.pvx" "PRAGMA user_version=42"
out=$(pv info "$T/new.pvx" 2>&1)
is $? 1 "newer schema: status 1"
like "$out" "schema version 42, newer than this provex" "refused with a message"

# ---- a malformed rules file
printf 'rules:\n  - match:\n      file: "*"\n    set:\n      origin: [real\n' > "$T/bad.yaml"
out=$(pv index "$T/r.pvx" "$T/fine.jsonl" --rules "$T/bad.yaml" 2>&1)
is $? 1 "a malformed rules file: status 1"
like "$out" "bad.yaml:[0-9]+:[0-9]+:" "reported with file:line:column"
printf 'rules:\n  - match: {file: "*"}\n    set: {colour: red}\n' > "$T/bad2.yaml"
out=$(pv index "$T/r.pvx" "$T/fine.jsonl" --rules "$T/bad2.yaml" 2>&1)
like "$out" "bad2.yaml:3:[0-9]+:.*colour" "an unknown key is named with its position"
ok $([ ! -e "$T/r.pvx" ] && echo 0 || echo 1) "no store is created when the options are wrong"

done_testing
