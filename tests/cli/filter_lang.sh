#!/bin/sh
# The filter language means what it says: AND/OR/NOT, lowercase words with
# a warning, filters that start with '-', metadata paths and values of
# every kind, indexed metadata paths, origin words, size suffixes; and a
# property test: random filters counted by provex and by an evaluator of
# their own over the raw records (tests/tools/filtereval.py).
. "$top_srcdir/tests/cli/lib.sh"
S=$T/s.pvx
EVAL="$top_srcdir/tests/tools/filtereval.py"
if [ -n "${PROVEX_VALGRIND:-}" ]; then nf=12; else nf=150; fi

cat > "$T/in.jsonl" <<'J'
{"id":"a","text":"Not every model writes alike.","origin":"real","source":"xsum","temperature":0.7,"is_classification":true,"instances":[{"input":"","output":"yes"}],"n":3}
{"id":"b","text":"A second text about writing.","origin":"synthetic","source":"writing","generator":"gpt-4","temperature":"0.9","is_classification":false,"n":"3","meta":{"temperature":0.2}}
{"id":"c","text":"The third one, with NOT in capitals.","origin":"synthetic","source":"squad","generator":"llama","temperature":0.2,"is_classification":1,"instances":{"0":{"output":"key"}},"x.y":5,"z":null}
{"id":"d","text":"Fourth: cafe, plain.","origin":"human","source":"xsum","n":3.0,"z":"null"}
J
# --keep-consumed: the filters below read meta.origin, meta.source and
# meta.generator, which the provenance fields would otherwise leave out
pv index -q "$S" "$T/in.jsonl" --id-field id --origin-field origin --source-field source \
	--generator-field generator --keep-consumed
ok $? "index"

ids() {	# ids FILTER: the ext ids counted, space-separated
	pv ls "$S" "$1" --json 2>/dev/null | python3 -c 'import json,sys
print(" ".join(json.loads(l)["ext_id"] for l in sys.stdin))'
}

# ---- AND, OR, NOT and the words that look like them
is "$(ids 'NOT origin:real')" "b c" "NOT is an operator"
is "$(ids 'NOT origin:real NOT source:squad')" "b" "NOT before each of two terms"
is "$(ids 'origin:real OR source:squad')" "a c d" "OR in capitals"
is "$(pv count "$S" 'source:xsum AND -origin:real')" 0 "AND with '-': nothing of xsum is not real"
is "$(ids '"NOT"')" "a c" "the word NOT, quoted"
out=$(pv ls "$S" 'len:>20 AND origin:real' --explain)
like "$out" '^read: +len:>20 AND origin:real$' "--explain spells out AND"
out=$(pv ls "$S" 'NOT origin:real' --explain)
like "$out" '^filter: +-origin:real$' "--explain: NOT read as '-'"
like "$out" '^read: +NOT origin:real$' "--explain: the reading names NOT"

err=$(pv count "$S" 'source:xsum or source:writing' 2>&1 >/dev/null)
like "$err" "warning: at byte 13: 'or' is searched for as a word; to match either side write OR" \
	"lowercase or between field terms: a warning names the reading"
like "$err" 'write "or"' "and says how to search for the word itself"
is "$(pv count "$S" 'source:xsum or source:writing' 2>/dev/null)" 0 "the word is searched for"
err=$(pv count "$S" 'not origin:real' 2>&1 >/dev/null)
like "$err" "'not' is searched for as a word; to exclude what follows write NOT" \
	"lowercase not before a field term: a warning"
err=$(pv count "$S" 'source:xsum and source:writing' 2>&1 >/dev/null)
like "$err" "'and' is searched for as a word" "lowercase and between field terms: a warning"
err=$(pv count "$S" 'source:xsum "or" source:writing' 2>&1 >/dev/null)
is "$err" "" "a quoted \"or\": no warning"
err=$(pv count "$S" 'cats or dogs' 2>&1 >/dev/null)
is "$err" "" "or between words: searched for without a warning"
err=$(pv count "$S" 'NOT' 2>&1); st=$?
is $st 2 "NOT alone: a usage error"
like "$err" "expected a term after 'NOT'" "says what is missing"

# ---- a filter that starts with '-'
is "$(pv count "$S" -origin:real)" 2 "count STORE -origin:real"
is "$(pv ls "$S" -origin:real | cut -f2 | tr '\n' ' ')" "b c " "ls STORE -origin:real"
is "$(pv ls "$S" -origin:real --limit 1 | cut -f2)" "b" "with an option after it"
is "$(pv ls "$S" --limit 1 -origin:real | cut -f2)" "b" "with an option before it"
is "$(pv count "$S" '-(source:xsum OR source:squad)')" 1 "-( ... )"
is "$(pv count "$S" -- -origin:real)" 2 "after --, as before"
is "$(pv count "$S" -writing)" 3 "-WORD: a filter, not options"
pv export "$S" -origin:real -o "$T/x.jsonl" >/dev/null 2>&1
is "$(wc -l < "$T/x.jsonl" | tr -d ' ')" 2 "export STORE -origin:real -o FILE"
# a misplaced or mistyped option is still read as a filter, but said
err=$(pv export "$S" -q -o "$T/y.jsonl" 2>&1 >/dev/null)
like "$err" "no option -q here: reading it as the filter NOT q" "export STORE -q: the reading of an unknown option is said"
err=$(pv export "$S" -o "$T/y.jsonl" --force -- -q 2>&1 >/dev/null)
ok $(printf '%s' "$err" | grep -q 'no option' && echo 1 || echo 0) "-- -q: no warning once it is said to be a filter"
is "$(pv count "$S" -q)" "$(pv count "$S" -- -q)" "-q: not an option of count, so the filter -q"
err=$(pv count "$S" --quiet 2>&1); st=$?
is $st 2 "an option count does not have: a usage error"
like "$err" "provex count STORE -- -TERM" "which names the -- way"

# ---- metadata as it is
is "$(ids 'meta.instances.0.output:*')" "a c" "a path into an array (and an object key 0)"
is "$(ids 'meta.instances.0.output:yes')" "a" "an array element's field"
is "$(ids 'meta.temperature:>0.5')" "a b" "a number compared as a number (and a numeric string)"
is "$(ids 'meta.temperature:0.1..0.5')" "c" "a range of numbers"
is "$(ids 'meta.is_classification:true')" "a" "JSON true"
is "$(ids 'meta.is_classification:1')" "c" "the number 1 is not true"
is "$(ids 'meta.n:3')" "a b d" "3 matches 3, 3.0 and the string \"3\""
is "$(ids 'meta.n:"3"')" "b" "a quoted value is text"
is "$(ids 'meta.z:null')" "c d" "JSON null (and the string \"null\")"
is "$(ids 'has:meta.z')" "d" "has:meta.PATH: a value other than null"
is "$(ids 'has:meta.instances')" "a c" "has: an array or an object"
is "$(ids '-has:meta.instances')" "b d" "-has:"
is "$(ids 'meta."x.y":5')" "c" "a quoted key holding a dot"
is "$(ids 'meta.meta.temperature:<0.5')" "b" "metadata nested under meta (an export indexed again)"
is "$(ids 'meta.source:x*')" "a d" "a glob on a string"
err=$(pv count "$S" 'meta.temperature:>hot' 2>&1); st=$?
is $st 2 "a comparison with no number: a usage error"
like "$err" 'expected a number after .>. for meta\.temperature \(quote the value to match text: meta\.temperature:">hot"\)' \
	"says how to match the text"

# ---- the documented round trip: export, then index the export
pv export "$S" -o "$T/rt.jsonl" --keep-dups >/dev/null 2>&1
ok $? "export the whole store"
pv index -q "$T/rt.pvx" "$T/rt.jsonl" --origin-field origin --source-field source \
	--generator-field generator --purpose-field purpose --label-field label --note-field note
ok $? "index the export"
is "$(pv count "$T/rt.pvx" 'meta.meta.temperature:>0.5')" 2 \
	"the original metadata is reachable under meta.meta"
is "$(pv count "$T/rt.pvx" 'meta.meta.instances.0.output:yes')" 1 "nested paths too"

# ---- origin takes the words index --origin takes
is "$(pv count "$S" origin:human 2>/dev/null)" 2 "origin:human counts the real documents"
err=$(pv count "$S" origin:human 2>&1 >/dev/null)
like "$err" "origin:human read as origin:real" "and says which origin it read"
is "$(pv count "$S" origin:LLM 2>/dev/null)" 2 "origin:LLM is synthetic"

# ---- size suffixes
is "$(pv ls "$S" 'len:>1Ki' --explain | grep '^?')" "?1     1024" "len:>1Ki is 1024"
is "$(pv ls "$S" 'len:>1k' --explain | grep '^?')" "?1     1024" "len:>1k is 1024 too"

# ---- indexed metadata paths
out=$(pv ls "$S" 'meta.source:xsum' --explain)
like "$out" "note: +meta.source: no index, so every document's metadata is read" \
	"--explain says a metadata term reads every document"
err=$(pv index "$S" --index-meta source 2>&1); st=$?
is $st 0 "index STORE --index-meta PATH"
like "$err" "meta.source: indexed" "says it indexed the path"
out=$(pv ls "$S" 'meta.source:xsum' --explain)
like "$out" 'sql: +d\."meta_1" = \?1' "the filter reads the indexed column"
unlike "$out" "note:" "and no longer says it reads every document"
is "$(ids 'meta.source:xsum')" "a d" "same documents through the index"
plan=$(sqlite3 "$S" "EXPLAIN QUERY PLAN SELECT count(*) FROM docs d WHERE d.meta_1 = 'xsum'")
like "$plan" "USING (COVERING )?INDEX docs_meta_1" "SQLite searches the index"
printf '{"id":"e","text":"a fifth","origin":"real","source":"xsum"}\n' > "$T/more.jsonl"
pv index -q "$S" "$T/more.jsonl" --id-field id --origin-field origin --keep-consumed
is "$(ids 'meta.source:xsum')" "a d e" "later index runs keep the index up to date"
err=$(pv index "$S" --index-meta source 2>&1)
like "$err" "already indexed" "indexing a path twice says so"
err=$(pv index "$S" --index-meta 'a..b' 2>&1); st=$?
is $st 2 "a bad path: a usage error"
like "$err" "at byte 3: expected a key after '.'" "with where and what"
pv index -q "$S" --drop-meta-index source
is "$(ids 'meta.source:xsum')" "a d e" "after --drop-meta-index the filter still works"
unlike "$(sqlite3 "$S" 'SELECT name FROM pragma_table_xinfo("docs")')" "meta_1" "the column is gone"

# ---- random filters against an evaluator of their own
python3 - "$T/gen.jsonl" <<'PY'
import json, random, sys
rng = random.Random(7)
words = ("alpha beta gamma delta kernel memory page model text real synthetic "
         "caf\u00e9 na\u00efve r\u00e9sum\u00e9 data value write read").split()
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for i in range(400):
        d = {"id": "g%d" % i,
             "text": " ".join(rng.choice(words) for _ in range(rng.randint(1, 60))),
             "origin": rng.choice(["real", "synthetic", "unknown"]),
             "source": rng.choice(["news/en", "news/fr", "wiki", "blog"])}
        if rng.random() < 0.6:
            d["generator"] = rng.choice(["gpt-4", "llama", "markov2"])
        r = rng.random()
        if r < 0.3:
            d["t"] = round(rng.uniform(0, 2), 3)
        elif r < 0.5:
            d["t"] = "%.2f" % rng.uniform(0, 2)
        elif r < 0.6:
            d["t"] = None
        if rng.random() < 0.7:
            d["n"] = rng.choice([1, 2, 3, 3.0, "3", 7, -2, True, False, "true"])
        if rng.random() < 0.5:
            d["lang"] = rng.choice(["en", "fr", "de", "en-GB"])
        if rng.random() < 0.4:
            d["tags"] = [rng.choice(["a", "b", "c"]) for _ in range(rng.randint(0, 3))]
        if rng.random() < 0.4:
            d["cfg"] = {"temp": rng.choice([0.1, 0.5, 1.0, 1.5]),
                        "name": rng.choice(["x", "y"])}
        if rng.random() < 0.2:
            d["cfg.temp"] = rng.choice([0.3, 0.9])
        if rng.random() < 0.2:
            d["o"] = {"0": {"k": rng.choice(["p", "q"])}}
        f.write(json.dumps(d) + "\n")
PY
G=$T/g.pvx
pv index -q "$G" "$T/gen.jsonl" --id-field id --origin-field origin --source-field source \
	--generator-field generator --keep-consumed
ok $? "index a generated corpus with metadata of every kind"
out=$(python3 "$EVAL" --provex "$PROVEX" --store "$G" --records "$T/gen.jsonl" \
	--filters $nf --seed 1 2>&1); st=$?
is $st 0 "random filters: provex and the evaluator agree on the generated corpus"
printf '%s\n' "$out" | sed 's/^/# /' | tail -6

SI=$SHARED/corpora/self-instruct
if [ -f "$SI/data/seed_tasks.jsonl" ]; then
	python3 - "$SI" "$T/si.jsonl" <<'PY'
import json, os, sys
si, out = sys.argv[1], sys.argv[2]
with open(out, "w", encoding="utf-8") as f:
    for rel, origin in (("data/seed_tasks.jsonl", "real"),
                        ("human_eval/user_oriented_instructions.jsonl", "real")):
        for i, l in enumerate(open(os.path.join(si, rel), encoding="utf-8")):
            d = json.loads(l)
            d["text"] = d.pop("instruction")
            d["id"] = "%s:%d" % (rel, i)
            d["origin"] = origin
            d["source"] = rel.split("/")[0]
            f.write(json.dumps(d) + "\n")
    pred = os.path.join(si, "human_eval/predictions")
    for name in sorted(os.listdir(pred)):
        for i, l in enumerate(open(os.path.join(pred, name), encoding="utf-8")):
            d = json.loads(l)
            d["text"] = d.pop("response")
            d["id"] = "%s:%d" % (name, i)
            d["origin"] = "synthetic"
            d["source"] = "predictions"
            d["generator"] = name.replace("_predictions.jsonl", "")
            f.write(json.dumps(d) + "\n")
PY
	I=$T/si.pvx
	pv index -q "$I" "$T/si.jsonl" --id-field id --origin-field origin --source-field source \
		--generator-field generator --keep-consumed
	ok $? "index self-instruct (tasks and the 8 models' answers)"
	is "$(pv count "$I" 'meta.instances.0.output:*')" \
		"$(python3 -c 'import json,sys
print(sum(1 for l in open(sys.argv[1]) if isinstance(json.loads(l).get("instances"), list) and json.loads(l)["instances"] and "output" in json.loads(l)["instances"][0]))' "$T/si.jsonl")" \
		"meta.instances.0.output:* counts what json finds"
	is "$(pv count "$I" 'meta.is_classification:true')" 26 "meta.is_classification:true: the 26 of SOURCE.md"
	out=$(python3 "$EVAL" --provex "$PROVEX" --store "$I" --records "$T/si.jsonl" \
		--filters $nf --seed 2 2>&1); st=$?
	is $st 0 "random filters: provex and the evaluator agree on self-instruct"
	printf '%s\n' "$out" | sed 's/^/# /' | tail -6
else
	echo "# skipped self-instruct checks: $SI not found (../shared absent)"
fi
done_testing
