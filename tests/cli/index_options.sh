#!/bin/sh
# index_options.sh - the options of provex index that shape documents and
# tell what a run did with them: templates and their braces (and export
# --prefix's), template fields a record lacks, --origin-map values no entry
# maps, choosing the metadata (--meta-fields, --drop-fields,
# --keep-consumed), inputs identified by content (an edit that keeps size
# and mtime), and re-indexing with other provenance options.
. "$top_srcdir/tests/cli/lib.sh"

S=$T/s.pvx
cat > "$T/in.jsonl" <<'J'
{"instruction":"Add two and two.","output":"Four.","o":"HWT","src":"web","n":1}
{"instruction":"Name a colour.","o":"MGT","src":"web","n":2}
{"instruction":"Name a fruit.","output":null,"o":"MGT","src":"web","n":3}
{"instruction":"Count to three.","output":"One, two, three.","o":"weird","src":"web","n":4}
{"instruction":"Say hello.","output":"Hello.","o":"MGT","src":"web","n":5}
J

# ---- unbalanced braces: errors with the column, nothing stored
for t in '{instruction' '{' 'a}b' '{}' 'x {output} }'; do
	err=$(pv index -q "$S" "$T/in.jsonl" --text-template "$t" 2>&1); st=$?
	is $st 2 "--text-template '$t': a usage error"
	like "$err" "column [0-9]+" "--text-template '$t': the message names the column"
done
err=$(pv index -q "$S" "$T/in.jsonl" --text-template 'é {output' 2>&1)
like "$err" "'\\{' at column 3 is not closed" "the column counts characters, not bytes"
like "$err" "write \\{\\{ for a literal brace" "and says how to write a literal brace"
err=$(pv index -q "$S" "$T/in.jsonl" --text-template 'a}b' 2>&1)
like "$err" "'\\}' at column 2 closes no" "a lone '}' at its column"
is "$(test -e "$S" && echo exists || echo absent)" absent "no store made by refused commands"

# ---- {{ and }} are literal braces; a missing field is counted and named
out=$(pv index "$S" "$T/in.jsonl" --text-template '{{task}} {instruction}\n{output}' \
	--id-field n --json 2>"$T/err"); st=$?
is $st 0 "a template with a missing field: indexed"
is "$(pv cat "$S" 1)" "{task} Add two and two.
Four." "{{ and }} write braces"
is "$(printf '%s' "$out" | json_num template_missing_records)" 2 \
	"2 documents lack a template field"
is "$(printf '%s' "$out" | json_num template_missing.output)" 2 "counted by field name"
like "$(cat "$T/err")" 'in.jsonl:2:1: --text-template: no field "output"' \
	"a warning names the field and the record"
like "$(cat "$T/err")" 'in.jsonl:3:1: --text-template: field "output" is null' \
	"a null field is told apart"
rm -f "$S"
pv index "$S" "$T/in.jsonl" --text-template '{instruction} {output}' 2>"$T/err" >/dev/null
like "$(cat "$T/err")" "template  2 documents lack a template field .*: output 2" \
	"the summary counts them by name"
rm -f "$S"
pv index -q "$S" "$T/in.jsonl" --text-template '{instruction} {output}' --strict 2>"$T/err"
st=$?
is $st 1 "--strict: a missing template field is an error"
like "$(cat "$T/err")" 'no field "output".*--strict: stopping' "naming the field"
is "$(pv count "$S" '' 2>/dev/null || echo 0)" 0 "--strict: nothing of the run kept"
rm -f "$S"

# ---- export --prefix: the same rule
pv index -q "$S" "$T/in.jsonl" --text-field instruction --origin real
for t in '{' '{origin' 'a}b'; do
	err=$(pv export "$S" -o "$T/x.jsonl" --prefix "$t" 2>&1); st=$?
	is $st 2 "export --prefix '$t': a usage error"
	like "$err" "column [0-9]+" "export --prefix '$t': the column"
done
pv export "$S" -o "$T/x" --format text --prefix '{{{origin}}} ' 2>/dev/null
is "$(cat "$T/x/1.txt")" "{real} Add two and two." "export --prefix: {{ and }} write braces"
rm -rf "$S" "$T/x"

# ---- --origin-map: every value no entry mapped is named with its count
out=$(pv index "$S" "$T/in.jsonl" --text-field instruction --origin-field o \
	--origin-map 'HWT=real' 2>&1 >/dev/null)
like "$out" "unmapped  --origin-map mapped no entry for 4 records \\(2 values" \
	"the summary counts the records no entry mapped"
like "$out" "MGT  3" "names MGT with its count"
like "$out" "weird  1" "and weird"
rm -f "$S"
out=$(pv index -q "$S" "$T/in.jsonl" --text-field instruction --origin-field o \
	--origin-map 'HWT=real' --json)
is "$(printf '%s' "$out" | json_num unmapped.origin.MGT)" 3 "--json: unmapped values by map"
is "$(pv count "$S" origin:unknown)" 4 "unmapped values are stored as unknown"
rm -f "$S"

# ---- metadata: consumed fields left out, --meta-fields, --drop-fields
meta() {	# meta STORE ID: the document's metadata
	sqlite3 "$1" "SELECT coalesce(meta,'') FROM docs WHERE id=$2"
}
pv index -q "$S" "$T/in.jsonl" --text-field instruction --origin-field o \
	--origin-map 'HWT=real,*=synthetic' --source-field src
is "$(meta "$S" 1)" '{"output":"Four.","n":1}' \
	"text, origin and source fields are not copied into the metadata"
rm -f "$S"
pv index -q "$S" "$T/in.jsonl" --text-field instruction --origin-field o \
	--origin-map 'HWT=real,*=synthetic' --source-field src --keep-consumed
is "$(meta "$S" 1)" '{"output":"Four.","o":"HWT","src":"web","n":1}' \
	"--keep-consumed keeps the provenance fields"
rm -f "$S"
pv index -q "$S" "$T/in.jsonl" --text-field instruction --meta-fields n,o
is "$(meta "$S" 1)" '{"o":"HWT","n":1}' "--meta-fields keeps only those"
rm -f "$S"
pv index -q "$S" "$T/in.jsonl" --text-field instruction --meta-fields n,instruction
is "$(meta "$S" 1)" '{"instruction":"Add two and two.","n":1}' \
	"--meta-fields naming the text field keeps it"
rm -f "$S"
pv index -q "$S" "$T/in.jsonl" --text-field instruction --drop-fields output,src
is "$(meta "$S" 1)" '{"o":"HWT","n":1}' "--drop-fields drops those"
rm -f "$S"
pv index -q "$S" "$T/in.jsonl" --text-field instruction --meta-fields zzz
is "$(meta "$S" 1)" '' "no field kept: no metadata"
rm -f "$S"
err=$(pv index -q "$S" "$T/in.jsonl" --text-field instruction --meta-fields 'a.b' 2>&1)
st=$?
is $st 2 "a nested path in --meta-fields: a usage error"
like "$err" "'a.b' is a nested path.*name 'a' instead" "saying what to name"
err=$(pv index -q "$S" "$T/in.jsonl" --text-field instruction --drop-fields 'a,,b' 2>&1)
is $? 2 "an empty name in --drop-fields: a usage error"

# ---- inputs identified by content: an edit keeping size and mtime
printf '{"text":"alpha one"}\n{"text":"beta two"}\n' > "$T/c.jsonl"
touch -d '2020-01-02 03:04:05' "$T/c.jsonl"
pv index -q "$S" "$T/c.jsonl"
out=$(pv index -q "$S" "$T/c.jsonl" --json)
is "$(printf '%s' "$out" | json_num inputs_unchanged)" 1 "unchanged: skipped"
cp -p "$T/c.jsonl" "$T/ref"
sed 's/alpha one/gamma one/' "$T/ref" > "$T/c.jsonl"
touch -r "$T/ref" "$T/c.jsonl"
is "$(stat -c '%s %Y' "$T/c.jsonl")" "$(stat -c '%s %Y' "$T/ref")" "same size and mtime"
out=$(pv index "$S" "$T/c.jsonl" --json 2>"$T/err")
is "$(printf '%s' "$out" | json_num inputs_changed)" 1 "the edit is seen (content hash)"
is "$(printf '%s' "$out" | json_num added)" 1 "the changed record is added"
is "$(printf '%s' "$out" | json_num already_indexed)" 1 "the other one is already there"
like "$(cat "$T/err")" "c.jsonl: changed since it was indexed \\(same size and time, other content\\): read again" \
	"a warning says it changed and what is done"
is "$(pv count "$S" 'gamma')" 1 "the new text is stored"
out=$(pv index -q "$S" "$T/c.jsonl" --json)
is "$(printf '%s' "$out" | json_num inputs_unchanged)" 1 "then unchanged again"

# a FIFO has no identity: read again without being said to have changed
if mkfifo "$T/fifo" 2>/dev/null; then
	printf '{"text":"through a fifo"}\n' > "$T/fifo" &
	pv index -q "$S" "$T/fifo"
	wait
	printf '{"text":"through a fifo"}\n' > "$T/fifo" &
	err=$(pv index "$S" "$T/fifo" 2>&1)
	wait
	unlike "$err" "changed" "a FIFO read again is not said to have changed"
else
	skip "mkfifo failed"
fi

# ---- a store of schema 4 (no content hashes): its inputs read again once
sqlite3 "$S" "ALTER TABLE inputs DROP COLUMN hash; ALTER TABLE inputs DROP COLUMN prov;
	DROP TABLE detect_models; ALTER TABLE scores DROP COLUMN model; ALTER TABLE scores DROP COLUMN own; PRAGMA user_version=4;"
out=$(pv index -q "$S" "$T/c.jsonl" --json)
is "$(sqlite3 "$S" 'PRAGMA user_version')" 6 "schema 4 migrated to 6"
is "$(printf '%s' "$out" | json_num added)" 0 "its input read again adds nothing"
is "$(printf '%s' "$out" | json_num inputs_changed)" 0 "and is not said to have changed"
is "$(sqlite3 "$S" "SELECT length(hash) FROM inputs WHERE name LIKE '%c.jsonl'")" 32 "its content hash recorded"
out=$(pv index -q "$S" "$T/c.jsonl" --json)
is "$(printf '%s' "$out" | json_num inputs_unchanged)" 1 "then skipped"
rm -f "$S"

# ---- re-indexing with other provenance options
pv index -q "$S" "$T/in.jsonl" --text-field instruction --source web
out=$(pv index "$S" "$T/in.jsonl" --text-field instruction --source books \
	--json 2>/dev/null)
is "$(printf '%s' "$out" | json_num provenance_differs)" 5 \
	"other provenance options: the 5 documents that differ are counted"
is "$(printf '%s' "$out" | json_num added)" 0 "nothing added"
is "$(pv count "$S" source:web)" 5 "nothing relabelled"
err=$(pv index "$S" "$T/in.jsonl" --text-field instruction --source books 2>&1 >/dev/null)
like "$err" "labels    5 of 5 documents already in the store \\(1 input\\) have other provenance" \
	"the summary says so"
like "$err" "provex label" "and points to provex label"
pv label "$S" '' --set source=books --yes >/dev/null 2>&1
out=$(pv index -q "$S" "$T/in.jsonl" --text-field instruction --source books --json)
is "$(printf '%s' "$out" | json_num provenance_differs)" 0 "after provex label: none differs"
out=$(pv index -q "$S" "$T/in.jsonl" --text-field instruction --source web --json)
is "$(printf '%s' "$out" | json_num provenance_differs)" 5 "back to the first options: all differ"
out=$(pv index -q "$S" "$T/in.jsonl" --text-field instruction --source books \
	--origin-field o --origin-map 'HWT=real,*=synthetic' --json)
is "$(printf '%s' "$out" | json_num provenance_differs)" 5 "an origin map too"
out=$(pv index -q "$S" "$T/in.jsonl" --text-field instruction --source books --json)
is "$(printf '%s' "$out" | json_num provenance_differs)" 0 "the same options as stored: none"

done_testing
