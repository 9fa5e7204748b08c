#!/bin/sh
# Indexing every input format, with provenance from flags, fields, maps and
# rules; metadata; ids; incremental runs; duplicates.
. "$top_srcdir/tests/cli/lib.sh"
S=$T/s.pvx

# ---- JSONL with fields, bare strings, an id field and maps
cat > "$T/a.jsonl" <<'J'
{"id": "a1", "text": "The first real document.", "label": "human", "model": null, "lang": "en"}
{"id": "a2", "text": "A synthetic one, written by a model.", "label": "gpt-4", "model": "gpt-4", "score": 0.9}
"a bare string is a document too"
{"id": "a4", "text": "The first real document.", "label": "machine", "model": "llama"}
J
out=$(pv index "$S" "$T/a.jsonl" --id-field id --origin-field label \
	--origin-map 'human=real,*=synthetic' --generator-field model --source web --json 2>&1)
ok $? "index JSONL"
is "$(printf '%s' "$out" | json_num added)" 4 "4 documents added"
is "$(printf '%s' "$out" | json_num new_texts)" 3 "3 distinct texts"
is "$(printf '%s' "$out" | json_num cross_origin_duplicates)" 1 "a text stored as real and synthetic is counted"
ls=$(pv ls "$S" --json)
is "$(printf '%s\n' "$ls" | python3 -c 'import json,sys
for l in sys.stdin: d=json.loads(l); print(d["ext_id"], d["origin"], d["generator"], d["source"])')" \
"a1 real None web
a2 synthetic gpt-4 web
$T/a.jsonl:3 unknown None web
a4 synthetic llama web" "ids, origins (mapped), generators (from a field), source (flag)"
is "$(pv cat "$S" 3)" "a bare string is a document too" "bare string text"
show=$(pv show "$S" 2)
like "$show" '"score":0.9' "other fields kept as metadata"
unlike_label=$(printf '%s' "$show" | grep -c '"label":"gpt-4"')
is "$unlike_label" 0 "the origin field (consumed by --origin-field) is not in the metadata"
unlike "$show" '"text":' "the text is not repeated in the metadata"

# ---- the same input again adds nothing
out=$(pv index "$S" "$T/a.jsonl" --id-field id --origin-field label \
	--origin-map 'human=real,*=synthetic' --json 2>&1)
is "$(printf '%s' "$out" | json_num added)" 0 "indexing the same input again adds nothing"
is "$(printf '%s' "$out" | json_num inputs_unchanged)" 1 "unchanged input is skipped"
touch "$T/a.jsonl"
out=$(pv index "$S" "$T/a.jsonl" --id-field id --json 2>&1)
is "$(printf '%s' "$out" | json_num added)" 0 "a touched but identical input adds nothing"
is "$(printf '%s' "$out" | json_num already_indexed)" 4 "its records are recognised"
is "$(pv info "$S" --json | json_num documents)" 4 "still 4 documents"

# ---- JSON: array, object of arrays, --records
S2=$T/j.pvx
printf '[{"text":"one","k":1},"two",\n {"text":"three"}]' > "$T/arr.json"
printf '{"original":["h1","h2"],"sampled":["m1","m2","m3"],"meta":{"x":1}}' > "$T/obj.json"
pv index "$S2" "$T/arr.json" -q
ok $? "index a JSON array"
is "$(pv ls "$S2" --json | python3 -c 'import json,sys
print(" ".join(json.loads(l)["ext_id"].split(":")[-1] for l in sys.stdin))')" "0 1 2" "ids by index"
pv index "$S2" "$T/obj.json" --records sampled --origin synthetic -q
is "$(pv info "$S2" --json | json_num by_origin.synthetic.documents)" 3 "--records sampled: 3 documents"
S3=$T/o.pvx
pv index "$S3" "$T/obj.json" -q
is "$(pv ls "$S3" --json | python3 -c 'import json,sys
print(" ".join(json.loads(l)["ext_id"].split("/")[-1] for l in sys.stdin))')" \
	"obj.json:original:0 obj.json:original:1 obj.json:sampled:0 obj.json:sampled:1 obj.json:sampled:2" \
	"every array of an object, ids name the key"
out=$(pv index "$T/x.pvx" "$T/obj.json" --records nope 2>&1)
ok $([ $? -ne 0 ] && echo 0 || echo 1) "a missing --records key fails"
like "$out" "nope" "and names the key"

# ---- CSV with quoted fields and newlines
S4=$T/c.pvx
printf 'id,text,model\r\n1,"line one\nline two, with ""quotes""",gpt\r\n2,plain,human\r\n' > "$T/c.csv"
pv index "$S4" "$T/c.csv" --id-field id --generator-field model -q
ok $? "index CSV"
is "$(pv cat "$S4" --ext 1)" 'line one
line two, with "quotes"' "quoted field with a newline and quotes"
is "$(pv ls "$S4" --json | python3 -c 'import json,sys
print(" ".join(json.loads(l)["generator"] for l in sys.stdin))')" "gpt human" "CSV fields as provenance"

# ---- text files and folders, --glob
mkdir -p "$T/docs/sub"
printf 'alpha text\n' > "$T/docs/a.txt"
printf 'beta text\n' > "$T/docs/sub/b.txt"
printf 'not me\n' > "$T/docs/skip.md"
S5=$T/t.pvx
pv index "$S5" "$T/docs" --glob '*.txt' --origin real -q
is "$(pv info "$S5" --json | json_num documents)" 2 "folder walked recursively with --glob"
is "$(pv cat "$S5" --ext "$T/docs/sub/b.txt")" "beta text" "text file id is its path"

# ---- compressed inputs and standard input
S6=$T/z.pvx
printf '{"text":"gz one"}\n{"text":"gz two"}\n' | gzip > "$T/in.jsonl.gz"
printf '{"text":"zst one"}\n' | zstd -q > "$T/in.jsonl.zst"
pv index "$S6" "$T/in.jsonl.gz" "$T/in.jsonl.zst" -q
is "$(pv info "$S6" --json | json_num documents)" 3 ".gz and .zst inputs"
printf '{"text":"from stdin"}\n' | pv index "$S6" - -q
is "$(pv cat "$S6" 4)" "from stdin" "standard input"
printf '{"text":"from stdin"}\n{"text":"more stdin"}\n' | pv index "$S6" - -q
is "$(pv info "$S6" --json | json_num documents)" 5 "stdin again: only the new record is added"

# ---- text template
S7=$T/tp.pvx
printf '{"instruction":"Add.","input":"1+1","output":"2","extra":"e"}\n' > "$T/alp.jsonl"
pv index "$S7" "$T/alp.jsonl" --text-template '{instruction}\n\n{input}\n\n{output}' -q
is "$(pv cat "$S7" 1)" "Add.

1+1

2" "template composes the text"
like "$(pv show "$S7" 1)" '"extra":"e"' "fields outside the template kept"
unlike "$(pv show "$S7" 1)" '"instruction"' "template fields not repeated"

# ---- rules file
cat > "$T/rules.yaml" <<'Y'
rules:
  - match:
      file: "*/a.jsonl"
    set:
      source: rules-src
      purpose: eval
  - match:
      fields:
        model: "gpt-*"
    set:
      origin: synthetic
      generator: "{model}"
Y
S8=$T/r.pvx
pv index "$S8" "$T/a.jsonl" --rules "$T/rules.yaml" --source flag-src --id-field id -q
is "$(pv ls "$S8" --json | python3 -c 'import json,sys
print(" ".join("%s/%s/%s/%s" % (d["ext_id"][-2:], d["origin"], d["source"], d["generator"]) for d in map(json.loads, sys.stdin)))')" \
	"a1/unknown/rules-src/None a2/synthetic/rules-src/gpt-4 :3/unknown/rules-src/None a4/unknown/rules-src/None" \
	"rules override flags; field globs and templates"

done_testing
