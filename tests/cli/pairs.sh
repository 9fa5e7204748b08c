#!/bin/sh
# Pairs: provex index --pair-field (groups sharing a value, a value naming
# another document's id, incremental runs, the cap, has:pair / pair:ID /
# sim: on the stored pairs, the demo's seeds) and provex pairs (near copies
# found real x synthetic, --within, signatures computed once, --report,
# --json), with bad inputs: a filter without synthetic or real documents,
# 10,000 identical documents, empty documents, texts shorter than a
# shingle, bad thresholds.
. "$top_srcdir/tests/cli/lib.sh"
S=$T/s.pvx
IDX="--id-field id --origin-field origin --source-field source --generator-field generator"

# a.jsonl: r0..r9 real; q1 = {r0, s0a, s0b}, q2 = {r1, s1a}; c2..c7 near
# copies of r2..r7 whose link names their seed; u0..u3 unrelated; u0w a
# near copy of u0 (synthetic x synthetic); short texts; a text without
# words; one of unknown origin; "early" links to r99, not there yet.
python3 - "$T" <<'EOF'
import json, random, sys
t = sys.argv[1]
random.seed(5)
def text(n=300, p="w"):
    return " ".join("%s%d" % (p, random.randrange(20000)) for _ in range(n))
def edit(s):
    w = s.split()
    for _ in range(2):
        w[random.randrange(len(w))] = "x%d" % random.randrange(99999)
    return " ".join(w) + " coda"
docs, real = [], {}
for i in range(10):
    real[i] = text()
    d = {"id": "r%d" % i, "text": real[i], "origin": "real", "source": "news" if i < 5 else "blog"}
    if i == 0: d["link"] = "q1"
    if i == 1: d["link"] = "q2"
    docs.append(d)
docs.append({"id": "s0a", "text": text(), "origin": "synthetic", "generator": "gpt", "link": "q1"})
docs.append({"id": "s0b", "text": text(), "origin": "synthetic", "generator": "gpt", "link": "q1"})
docs.append({"id": "s1a", "text": text(), "origin": "synthetic", "generator": "gpt", "link": "q2"})
for i in range(2, 8):
    docs.append({"id": "c%d" % i, "text": edit(real[i]), "origin": "synthetic",
                 "generator": "edit", "source": "news" if i < 5 else "blog", "link": "r%d" % i})
u0 = text()
docs.append({"id": "u0", "text": u0, "origin": "synthetic", "generator": "gpt"})
docs.append({"id": "u0w", "text": edit(u0), "origin": "synthetic", "generator": "gpt"})
for i in range(1, 4):
    docs.append({"id": "u%d" % i, "text": text(), "origin": "synthetic", "generator": "gpt"})
docs.append({"id": "hello-r", "text": "Hello world!", "origin": "real"})
docs.append({"id": "hello-s", "text": "hello, WORLD", "origin": "synthetic", "generator": "tiny"})
docs.append({"id": "hello-t", "text": "hello there", "origin": "synthetic", "generator": "tiny"})
docs.append({"id": "dots", "text": "... !!! ---", "origin": "synthetic", "generator": "tiny"})
docs.append({"id": "unk", "text": edit(real[9]), "source": "blog"})
docs.append({"id": "early", "text": text(), "origin": "synthetic", "generator": "gpt", "link": "r99"})
with open(t + "/a.jsonl", "w") as f:
    for d in docs: f.write(json.dumps(d) + "\n")
# b.jsonl: a late answer to q1, and r99 (named by "early")
with open(t + "/b.jsonl", "w") as f:
    f.write(json.dumps({"id": "s0c", "text": text(), "origin": "synthetic", "generator": "gpt", "link": "q1"}) + "\n")
    f.write(json.dumps({"id": "r99", "text": text(), "origin": "real", "source": "news"}) + "\n")
# c.jsonl: one more real document and its copy
r = text()
with open(t + "/c.jsonl", "w") as f:
    f.write(json.dumps({"id": "r10", "text": r, "origin": "real", "source": "news"}) + "\n")
    f.write(json.dumps({"id": "c10", "text": edit(r), "origin": "synthetic", "generator": "edit", "source": "news", "link": "r10"}) + "\n")
# 6 documents sharing one value
with open(t + "/g.jsonl", "w") as f:
    for i in range(6):
        f.write(json.dumps({"id": "g%d" % i, "text": text(20), "g": "same"}) + "\n")
EOF
id_of() { sqlite3 "$S" "SELECT id FROM docs WHERE ext_id='$1'"; }
declared() { sqlite3 "$S" "SELECT count(*) FROM pairs WHERE kind='declared'"; }
found() { sqlite3 "$S" "SELECT count(*) FROM pairs WHERE kind='found'"; }
paired() {	# paired EXT EXT KIND: 1 when the two documents are a pair of KIND
	sqlite3 "$S" "SELECT count(*) FROM pairs p JOIN docs x ON x.ext_id='$1'
		JOIN docs y ON y.ext_id='$2' WHERE p.kind='$3' AND
		p.a=min(x.id,y.id) AND p.b=max(x.id,y.id)"
}

# ---- declared pairs ----
err=$(pv index "$S" "$T/a.jsonl" $IDX --pair-field link 2>&1 >/dev/null)
ok $? "index with --pair-field"
like "$err" "declared pairs: 10 new \(8 values of link" "the summary counts the declared pairs"
is "$(declared)" 10 "q1: 3 pairs, q2: 1, six copies linked to their seeds"
is "$(paired r0 s0a declared)$(paired s0a s0b declared)$(paired r1 s1a declared)" 111 \
	"documents sharing a value are pairs of each other"
is "$(paired r2 c2 declared)$(paired r7 c7 declared)" 11 "a value naming an id links to that document"
is "$(sqlite3 "$S" "SELECT key FROM pairs p JOIN docs d ON d.id=p.b WHERE d.ext_id='c3'")" r3 \
	"the pair's key is the shared value"
is "$(sqlite3 "$S" "SELECT count(*) FROM pairs WHERE a >= b")" 0 "a < b"
is "$(pv count "$S" has:pair)" 17 "has:pair counts the paired documents"
r0=$(id_of r0)
is "$(pv ls "$S" "pair:$r0" | cut -f2 | sort | tr '\n' ' ')" "s0a s0b " "pair:ID lists the partners"
is "$(pv count "$S" "pair:$(id_of c4)")" 1 "pair:ID of a copy: its seed"
is "$(pv count "$S" "origin:real -has:pair")" 3 "real documents without pairs"

# incremental: a later run pairs new documents with earlier ones, both ways
err=$(pv index "$S" "$T/b.jsonl" $IDX --pair-field link 2>&1 >/dev/null)
like "$err" "declared pairs: 4 new" "a later run: the new answer joins q1 (3), r99 meets early (1)"
is "$(paired s0b s0c declared)$(paired early r99 declared)" 11 "both pairs are there"
err=$(pv index "$S" "$T/a.jsonl" "$T/b.jsonl" $IDX --pair-field link 2>&1 >/dev/null)
like "$err" "declared pairs: 0 new" "indexing the same inputs again declares nothing"
is "$(declared)" 14 "14 declared pairs"
is "$(sqlite3 "$S" "SELECT count(*) FROM (SELECT 1 FROM pairs GROUP BY a, b, kind HAVING count(*) > 1)")" 0 \
	"never a pair twice"
js=$(pv index "$S" "$T/b.jsonl" $IDX --pair-field link --json 2>/dev/null)
is "$(printf '%s' "$js" | json_num declared_pairs.added)" 0 "--json: declared_pairs.added"

# the cap, and bad uses
G=$T/g.pvx
err=$(pv index "$G" "$T/g.jsonl" --id-field id --pair-field g --pair-cap 4 2>&1 >/dev/null)
like "$err" "declared pairs: 6 new \(1 value of g shared by new documents; 1 group capped at 4 documents\)" \
	"a group over the cap is paired among its first documents, and the summary says so"
is "$(sqlite3 "$G" "SELECT count(*) FROM pairs p JOIN docs d ON d.id = p.b WHERE d.ext_id IN ('g4','g5')")" 0 \
	"the documents past the cap are not paired"
err=$(pv index "$G" "$T/g.jsonl" --id-field id --pair-field id 2>&1)
is $? 2 "--pair-field naming the id field: usage error"
like "$err" "is the id field" "says why"
pv index "$G" "$T/g.jsonl" --pair-cap 4 2>/dev/null
is $? 2 "--pair-cap without --pair-field: usage error"
pv index "$G" "$T/g.jsonl" --pair-field 'a..b' 2>/dev/null
is $? 2 "--pair-field that is not a field path: usage error"
# a dotted path: into nested objects, or a key holding the dots
printf '%s\n' '{"id":"a","text":"one","t":{"id":"x"}}' '{"id":"b","text":"two","t":{"id":"x"}}' \
	'{"id":"c","text":"three","t.id":"x"}' '{"id":"d","text":"four","t":{"id":"y"}}' > "$T/n.jsonl"
pv index "$T/n.pvx" "$T/n.jsonl" --id-field id --pair-field t.id -q
is "$(sqlite3 "$T/n.pvx" "SELECT group_concat(a || '-' || b || ':' || key, ' ') FROM pairs")" \
	"1-2:x 1-3:x 2-3:x" "--pair-field with a dotted path"

# ---- found pairs ----
out=$(pv pairs "$S")
ok $? "provex pairs"
like "$out" "selected +32 documents: 12 real, 19 synthetic, 1 unknown" "says what it selected"
like "$out" "signatures 31 computed" "signs every text (the unknown document takes no part)"
like "$out" "short +3 texts of fewer than 5 words" "short texts are signed from the words they have"
like "$out" "skipped +1 text without words" "a text without words is left out, and counted"
like "$out" "pairs +7 document pairs at estimated Jaccard >= 0.80 \(7 new\)" "finds the near copies"
is "$(paired r2 c2 found)$(paired r5 c5 found)$(paired r7 c7 found)" 111 "each copy with its seed"
is "$(paired hello-r hello-s found)$(paired hello-r hello-t found)" 10 \
	"short texts pair when their words are the same, not otherwise"
is "$(paired u0 u0w found)" 0 "synthetic x synthetic: not without --within"
is "$(sqlite3 "$S" "SELECT count(*) FROM pairs p JOIN docs x ON x.id=p.a JOIN docs y ON y.id=p.b
	WHERE p.kind='found' AND x.origin = y.origin")" 0 "every found pair is real x synthetic"
is "$(sqlite3 "$S" "SELECT count(*) FROM pairs WHERE kind='found' AND (sim < 0.8 OR sim > 1)")" 0 \
	"each with its estimated similarity"
is "$(pv count "$S" 'sim:>=0.8')" 14 "sim: selects the documents of found pairs"
is "$(pv ls "$S" "pair:$(id_of r3) sim:>0.8" | cut -f2)" c3 "pair:ID sim: together"
out=$(pv pairs "$S")
like "$out" "signatures 0 computed .* 31 reused" "a second run computes no signature"
like "$out" "\(0 new\)" "and stores no pair twice"
is "$(found)" 7 "7 found pairs"
pv index "$S" "$T/c.jsonl" $IDX -q
out=$(pv pairs "$S")
like "$out" "signatures 2 computed .* 31 reused" "after adding documents: only theirs"
is "$(paired r10 c10 found)" 1 "and their pair is found"
out=$(pv pairs "$S" --within)
like "$out" "any two documents \(--within\)" "--within"
is "$(paired u0 u0w found)" 1 "--within: same-origin pairs too"
is "$(sqlite3 "$S" "SELECT count(*) FROM minhash")" "$(sqlite3 "$S" "SELECT count(*) FROM texts")" \
	"one signature per text"

# --json, --threshold
js=$(pv pairs "$S" --json --threshold 0.5)
is "$(printf '%s' "$js" | json_num threshold)" 0.5 "--json: threshold"
is "$(printf '%s' "$js" | json_num signatures.computed)" 0 "--json: signatures computed"
is "$(printf '%s' "$js" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["bands"] * d["rows"] <= d["hashes"], d["shingle_words"], d["new_pairs"] >= 0)')" \
	"True 5 True" "--json: the parameters"

# the leakage report
out=$(pv pairs "$S" --report 2>/dev/null)
ok $? "--report"
like "$out" "^8 of 20 synthetic documents \(40.0%\) nearly copy one of 13 real documents$" \
	"how many synthetic documents nearly copy a real one"
like "$out" "^edit +news +4 +4 +100.0%$" "by generator and source"
like "$out" "^edit +blog +3 +3 +100.0%$" "each group with its count and share"
like "$out" "^tiny +\(none\) +1 +3 +33.3%$" "the short copy"
like "$out" "^gpt +\(none\) +0 +10 +0.0%$" "groups without copies too"
like "$out" "^    0\.[89][0-9]  synthetic #[0-9]+ \(c[0-9]+\) ~ real #[0-9]+ \(r[0-9]+\), also a declared pair$" \
	"examples: similarity, ids, and whether the pair was declared"
like "$out" "^          synthetic: w[0-9]+ w[0-9]+ .* \.\.\.$" "with the first words of each"
is "$(printf '%s\n' "$out" | grep -c '^    [01]\.')" 7 "examples: up to 3 per group"
js=$(pv pairs "$S" --report --json --examples 1)
is "$(printf '%s' "$js" | python3 -c 'import json,sys
d=json.load(sys.stdin); g=d["groups"][0]; e=g["examples"][0]
print(d["copies"], d["synthetic"], g["generator"], len(g["examples"]), e["synthetic"]["ext_id"][0], e["real"]["ext_id"][0], e["sim"] >= 0.8, len(e["real"]["words"].split()) > 5, d["run"]["signatures"]["computed"])')" \
	"8 20 edit 1 c r True True 0" "--report --json"
out=$(pv pairs "$S" 'source:blog' --report 2>/dev/null)
like "$out" "^3 of 3 synthetic documents" "the report follows the filter"

# ---- bad inputs ----
err=$(pv pairs "$S" origin:real 2>&1)
ok $? "a filter without synthetic documents: not an error"
like "$err" "no synthetic documents: there is nothing to compare" "says so"
err=$(pv pairs "$S" origin:synthetic 2>&1)
ok $? "a filter without real documents: not an error"
like "$err" "no real documents" "says so"
js=$(pv pairs "$S" 'origin:real' --json 2>/dev/null)
like "$js" '"nothing_to_compare":"the filter selects no synthetic' "--json says it too"
out=$(pv pairs "$S" 'origin:real' --within 2>&1)
like "$out" "pairs +0 document pairs" "--within compares the real documents among themselves"
out=$(pv pairs "$S" 'id:99999' --report 2>"$T/err")
like "$(cat "$T/err")" "the filter selects no documents" "a filter selecting nothing: said"
like "$out" "no synthetic documents are selected" "and the report says it too"
for bad in 0 1.5 -0.2 abc nan "" 0x; do
	err=$(pv pairs "$S" --threshold "$bad" 2>&1)
	st=$?
	is "$st" 2 "--threshold '$bad': usage error"
done
like "$err" "--threshold must be a number in \(0, 1\]" "says what it takes"
pv pairs "$S" --threshold 1 -q
ok $? "--threshold 1 is allowed"
err=$(pv pairs "$S" 'id:(' 2>&1)
is $? 2 "a bad filter: usage error"

# 10,000 identical documents: one text, duplicates, never pairs
python3 -c '
import json
for i in range(10000):
    print(json.dumps({"id": "i%d" % i, "text": "the very same text, said again and again by everyone", "origin": "real" if i % 2 else "synthetic"}))' > "$T/same.jsonl"
I=$T/same.pvx
pv index "$I" "$T/same.jsonl" --id-field id --origin-field origin -q
out=$(pv pairs "$I")
ok $? "10,000 identical documents"
like "$out" "texts +1 distinct texts" "are one text"
like "$out" "duplicates 10,000 documents share their text with another: duplicates are not pairs" \
	"counted as duplicates"
like "$out" "pairs +0 document pairs" "never as pairs"
out=$(pv pairs "$I" --within)
like "$out" "pairs +0 document pairs" "not with --within either"

# empty documents: the indexer rejects empty texts; blank ones have no words
printf '%s\n' '{"text":"","origin":"real"}' '{"text":"   ","origin":"real"}' \
	'{"text":"\n\t","origin":"synthetic"}' '{"text":"--","origin":"synthetic"}' \
	'{"text":"a real one, at last","origin":"real"}' > "$T/empty.jsonl"
E=$T/empty.pvx
pv index "$E" "$T/empty.jsonl" --origin-field origin -q 2>/dev/null
out=$(pv pairs "$E")
ok $? "empty and blank documents"
like "$out" "selected +4 documents" "the empty text was rejected by the indexer"
like "$out" "skipped +3 texts without words: left out" "blank texts have no words: counted"
like "$out" "pairs +0 document pairs" "and pair with nothing"
out=$(pv pairs "$E")
like "$out" "signatures 0 computed" "texts without words are not signed again"

# help and the manual's command list
out=$(pv pairs --help)
like "$out" "^Usage: provex pairs STORE \[FILTER\]" "--help"
like "$out" "--threshold J" "--help lists the options"
like "$(pv --help)" "pairs +STORE \[FILTER\]" "provex --help lists pairs"
like "$(pv index --help)" "--pair-field NAME" "provex index --help lists --pair-field"

# the demo corpus: each synthetic document paired with its seed
pv demo --dir "$T/d" --docs 40 --info > /dev/null 2>&1
ok $? "provex demo"
D=$T/d/demo.pvx
is "$(sqlite3 "$D" "SELECT count(*) FROM docs s WHERE s.origin='synthetic' AND NOT EXISTS (
	SELECT 1 FROM docs r JOIN pairs p ON p.kind='declared' AND p.a=min(r.id,s.id) AND p.b=max(r.id,s.id)
	WHERE r.ext_id=json_extract(s.meta,'\$.seed_id') AND r.origin='real')")" 0 \
	"the demo pairs every synthetic document with its seed"
done_testing
