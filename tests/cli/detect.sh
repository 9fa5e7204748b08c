#!/bin/sh
# detect.sh - provex detect: scores written and filterable, --by, --json,
# --model lr|nb (what each names itself, a style only the regression sees),
# determinism with --seed (and with any number of threads), scores
# replaced by a later run, --dry-run; the bad inputs (no synthetic or no
# real documents, one document per class, fewer texts than folds, 10,000
# identical documents, blank and tiny documents, usage errors); and, when
# ../shared is there, a sane AUC on one small public corpus.
. "$top_srcdir/tests/cli/lib.sh"
S=$T/s.pvx

# ix STORE ARGS...: indexes without valgrind (indexing is tested elsewhere)
ix() {
	st=$1
	shift
	"$PROVEX" index "$st" "$@" --id-field id --origin-field origin \
		--generator-field generator -q
}

# a toy corpus: 120 real documents, 60 synthetic by gen-a (its own
# vocabulary: easy to tell), 60 by gen-b (the real vocabulary, some words
# more often: harder),
# 10 of unknown origin
python3 - "$T/in.jsonl" <<'EOF'
import json, random, sys
r = random.Random(42)
real = "the river town market bridge morning said walked old house children bread".split()
a = "furthermore delve tapestry robust leverage seamless pivotal realm foster".split()
out = open(sys.argv[1], "w")
def doc(i, origin, gen, words):
    d = {"id": "d%d" % i, "origin": origin, "text": " ".join(words)}
    if gen:
        d["generator"] = gen
    out.write(json.dumps(d) + "\n")
i = 0
for _ in range(120):
    doc(i, "real", None, [r.choice(real) for _ in range(40)]); i += 1
for _ in range(60):
    doc(i, "synthetic", "gen-a", [r.choice(real + a * 2) for _ in range(40)]); i += 1
for _ in range(60):
    doc(i, "synthetic", "gen-b", [r.choice(real + real[:3]) for _ in range(40)]); i += 1
for _ in range(10):
    doc(i, "unknown", None, [r.choice(real) for _ in range(40)]); i += 1
EOF
ix "$S" "$T/in.jsonl"
ok $? "index the toy corpus"

# ---- a run: report, scores, filters ----
out=$(pv detect "$S" 2>"$T/err")
ok $? "detect exits 0"
like "$out" "^120 real and 120 synthetic documents, 240 distinct texts; 10 of unknown origin left out$" \
	"the report counts the documents and says the unknown ones are left out"
like "$out" "^all +120 +120 +[01]\.[0-9]{3}  \[[01]\.[0-9]{3}, [01]\.[0-9]{3}\]$" \
	"an overall AUC with its interval"
like "$out" "provex ls '$S' 'origin:real score:>0.9'" "the report suggests the queue of real documents that read as synthetic"
like "$out" "provex ls '$S' 'origin:synthetic score:<0.1'" "and of synthetic documents that pass as real"
like "$out" "delve|tapestry|furthermore" "the words that separate the sides are listed"
like "$out" "scores of 240 documents written \(run 1\)" "the report says the scores were written"
is "$(sqlite3 "$S" "SELECT count(*), count(DISTINCT run_id), min(score) >= 0, max(score) <= 1 FROM scores")" \
	"240|1|1|1" "every real and synthetic document has a score in [0, 1]"
is "$(sqlite3 "$S" "SELECT count(*) FROM scores JOIN docs d ON d.id = doc_id WHERE d.origin = 'unknown'")" 0 \
	"documents of unknown origin are not scored"
is "$(pv count "$S" 'has:score')" 240 "has:score selects the scored documents"
n_hi=$(pv count "$S" 'score:>0.5')
n_lo=$(pv count "$S" 'score:<=0.5')
is "$((n_hi + n_lo))" 240 "score:>0.5 and score:<=0.5 split them"
ok $([ "$(pv count "$S" 'origin:synthetic score:>0.5')" -gt "$(pv count "$S" 'origin:real score:>0.5')" ] && echo 0 || echo 1) \
	"more synthetic than real documents score above 0.5"
is "$(sqlite3 "$S" "SELECT count(*), json_extract(settings, '$.folds'), json_extract(settings, '$.seed'), json_extract(summary, '$.run'), json_extract(summary, '$.documents') FROM detect_runs")" \
	"1|5|0|1|240" "the run is recorded with its settings and summary"

# ---- --by and --json ----
j=$(pv detect "$S" --by generator --json --top 5)
ok $? "--by generator --json exits 0"
printf '%s' "$j" > "$T/j.json"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(d["by"], " ".join("%s=%d/%d" % (g["value"], g["synthetic"], g["real"]) for g in d["groups"]))' "$T/j.json")" \
	"generator gen-a=60/120 gen-b=60/120" "--json: each generator's synthetic documents against all the real ones"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
a = {g["value"]: g for g in d["groups"]}
ok = all(0 <= g["ci"][0] <= g["auc"] <= g["ci"][1] <= 1 for g in d["groups"])
print(ok, a["gen-a"]["auc"] > 0.95, a["gen-a"]["auc"] > a["gen-b"]["auc"])' "$T/j.json")" \
	"True True True" "--json: AUCs within their intervals; the easy generator near 1, above the hard one"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
w = {g["value"]: g["words"] for g in d["groups"]}["gen-a"]
print(len(w["synthetic"]) <= 5, w["synthetic"][0]["term"] in "furthermore delve tapestry robust leverage seamless pivotal realm foster".split(),
      w["synthetic"][0]["z"] > 0, w["synthetic"][0]["synthetic"] > w["synthetic"][0]["real"],
      all(t["z"] < 0 for t in w["real"]))' "$T/j.json")" \
	"True True True True True" "--json: gen-a's words are its own vocabulary, with z-scores and counts"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); q=d["review"]
print(q["real_reading_synthetic"]["filter"], "|", q["synthetic_passing_real"]["filter"], "|", d["settings"]["interval"])' "$T/j.json")" \
	"origin:real score:>0.9 | origin:synthetic score:<0.1 | DeLong 95%" "--json: the review queues' filters, the interval's method"
q=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["review"]["real_reading_synthetic"]["filter"])' "$T/j.json")
n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["review"]["real_reading_synthetic"]["documents"])' "$T/j.json")
is "$(pv count "$S" "$q")" "$n" "the suggested filter selects the documents the summary counts"
is "$(sqlite3 "$S" "SELECT json_extract(summary, '$.groups[0].value') FROM detect_runs WHERE id = 2")" gen-a \
	"the stored summary is the one printed"

# ---- determinism ----
# pvn: the same code again with another seed or thread count, run as is
# (under PROVEX_VALGRIND, the runs around it already are under valgrind)
pvn() { "$PROVEX" "$@"; }
pv detect "$S" --seed 7 --top 0 > /dev/null
sqlite3 "$S" "SELECT doc_id, score FROM scores ORDER BY doc_id" > "$T/s7a"
pv detect "$S" --seed 7 --top 0 --threads 1 > /dev/null
sqlite3 "$S" "SELECT doc_id, score FROM scores ORDER BY doc_id" > "$T/s7b"
cmp -s "$T/s7a" "$T/s7b"
ok $? "the same seed gives the same scores (with 1 thread as with several)"
pv detect "$S" --seed 7 --top 0 --model nb > /dev/null
sqlite3 "$S" "SELECT doc_id, score FROM scores ORDER BY doc_id" > "$T/s7n"
pvn detect "$S" --seed 7 --top 0 --model nb --threads 1 > /dev/null
sqlite3 "$S" "SELECT doc_id, score FROM scores ORDER BY doc_id" > "$T/s7m"
cmp -s "$T/s7n" "$T/s7m"
ok $? "naive Bayes too: the same scores with 1 thread as with several"
cmp -s "$T/s7a" "$T/s7n"
ok $((1 - $?)) "and other scores than the regression's"
pvn detect "$S" --seed 8 --top 0 > /dev/null
sqlite3 "$S" "SELECT doc_id, score FROM scores ORDER BY doc_id" > "$T/s8"
cmp -s "$T/s7a" "$T/s8"
ok $((1 - $?)) "another seed gives other folds, other scores"
a=$(pv detect "$S" --seed 7 --by generator --json --dry-run | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("seconds"); print(json.dumps(d, sort_keys=True))')
b=$(pvn detect "$S" --seed 7 --by generator --json --dry-run --threads 2 | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("seconds"); print(json.dumps(d, sort_keys=True))')
is "$a" "$b" "the same seed gives the same summary"

# ---- a later run on part of the documents replaces their scores only ----
runs=$(sqlite3 "$S" "SELECT count(*) FROM detect_runs")
pv detect "$S" 'origin:real OR generator:gen-a' --top 0 > /dev/null
ok $? "a run on a filter"
last=$(sqlite3 "$S" "SELECT max(id) FROM detect_runs")
is "$(sqlite3 "$S" "SELECT count(*), sum(run_id = $last) FROM scores")" "240|180" \
	"its documents' scores are replaced, the others' kept"
is "$(sqlite3 "$S" "SELECT filter FROM detect_runs WHERE id = $last")" "origin:real OR generator:gen-a" \
	"the run's filter is recorded"
like "$(pv detect "$S" 'origin:real OR generator:gen-a' --top 0 --dry-run)" \
	"provex ls '$S' '\(origin:real OR generator:gen-a\) origin:real score:>0.9'" \
	"the queues of a filtered run keep its filter"
pvn detect "$S" --dry-run > /dev/null
is "$(sqlite3 "$S" "SELECT count(*) FROM detect_runs")" "$((runs + 1))" "--dry-run records no run"

# ---- bad inputs ----
runs=$(sqlite3 "$S" "SELECT count(*) FROM detect_runs")
err=$(pv detect "$S" 'origin:real' 2>&1)
is $? 1 "no synthetic document: status 1"
like "$err" "matches 120 real and 0 synthetic documents: detect needs both" "and a clear message"
err=$(pv detect "$S" 'origin:synthetic' 2>&1)
is $? 1 "no real document: status 1"
like "$err" "matches 0 real and 120 synthetic documents" "and a clear message"
err=$(pv detect "$S" 'id:1 OR id:121' 2>&1)
is $? 1 "one document per class: status 1"
like "$err" "1 distinct real and 1 distinct synthetic text: cross-validation needs at least 2 on each side" \
	"and a clear message"
err=$(pv detect "$S" 'id:1..3 OR id:121..123' --folds 10 2>&1)
is $? 1 "fewer documents than folds: status 1"
like "$err" "6 distinct texts for 10 folds: .*use --folds 6 or fewer" "and a clear message"
out=$(pv detect "$S" 'id:1..3 OR id:121..123' --folds 6 --top 3)
ok $? "as many documents as folds: runs"
like "$out" "^all +3 +3 " "and reports"
err=$(pv detect "$S" 'id:1..2 OR id:121..122' --folds 2 --dry-run 2>&1 >/dev/null)
ok $? "a fold trained on one side only: runs"
like "$err" "warning: 1 of 2 folds were trained on one class only" "with a warning"
err=$(pv detect "$S" 'id:100000' 2>&1)
is $? 1 "a filter matching nothing: status 1"
like "$err" "matches 0 real and 0 synthetic documents" "and a clear message"
is "$(sqlite3 "$S" "SELECT count(*) FROM detect_runs")" "$((runs + 1))" "refused runs record nothing"
is "$(sqlite3 "$S" "SELECT count(*) FROM scores WHERE NOT (score >= 0 AND score <= 1)")" 0 \
	"no score is NaN or out of [0, 1]"

pv detect "$S" --by model > /dev/null 2>&1
is $? 2 "--by model: usage error"
pv detect "$S" --folds 1 > /dev/null 2>&1
is $? 2 "--folds 1: usage error"
pv detect "$S" --folds 21 > /dev/null 2>&1
is $? 2 "--folds 21: usage error"
pv detect "$S" --seed -3 > /dev/null 2>&1
is $? 2 "--seed -3: usage error"
pv detect "$S" 'id:(1' > /dev/null 2>&1
is $? 2 "a bad filter: usage error"
pv detect "$T/none.pvx" > /dev/null 2>&1
is $? 1 "a missing store: status 1"

# 10,000 identical documents: one text, so nothing to cross-validate;
# with other documents, one fold holds them all, and they share a score
python3 - "$T/same.jsonl" <<'EOF'
import json, sys
out = open(sys.argv[1], "w")
for i in range(10000):
    out.write(json.dumps({"id": "x%d" % i, "origin": "real" if i % 2 else "synthetic",
                          "text": "the very same words in every document"}) + "\n")
EOF
ix "$T/same.pvx" "$T/same.jsonl"
err=$(pv detect "$T/same.pvx" 2>&1)
is $? 1 "10,000 identical documents: status 1"
like "$err" "1 distinct real and 1 distinct synthetic text" "and a clear message"
ix "$T/same.pvx" "$T/in.jsonl"
out=$(pv detect "$T/same.pvx" --top 5)
ok $? "10,000 identical documents among others: runs"
like "$out" "^5,120 real and 5,120 synthetic documents, 241 distinct texts" "and counts every document"
is "$(sqlite3 "$T/same.pvx" "SELECT count(DISTINCT score), count(*) FROM scores JOIN docs d ON d.id = doc_id WHERE d.ext_id LIKE 'x%'")" \
	"1|10000" "the identical documents share one score (one text, one fold)"
like "$out" "^all +5,120 +5,120 +0\.[0-9]{3}  \[" "the AUC counts them (half real, half synthetic: ties)"

# blank and tiny documents: no words, few or no byte n-grams
python3 - "$T/blank.jsonl" <<'EOF'
import json, sys
out = open(sys.argv[1], "w")
texts = [" ", "\n", "\t\t", ".", "x", "ab", "  \n  ", "?!", "a b", "\u00e9"]
for i, t in enumerate(texts * 2):
    out.write(json.dumps({"id": "b%d" % i, "origin": "real" if i % 2 else "synthetic",
                          "text": t + " " * (i // 10)}) + "\n")
EOF
ix "$T/blank.pvx" "$T/blank.jsonl"
out=$(pv detect "$T/blank.pvx" --folds 2 2>&1)
ok $? "blank and tiny documents: runs"
is "$(sqlite3 "$T/blank.pvx" "SELECT count(*), sum(score >= 0 AND score <= 1) FROM scores")" "20|20" \
	"and gives every one a score in [0, 1] (no division by zero)"
like "$out" "^all +10 +10 +[01]\.[0-9]{3}" "and an AUC"

# ---- a model per group, --match, thresholds, length bins, the control ----
# A corpus where the answers are known by construction: real news and
# food texts; gen-x writes news exactly as the real news are written
# (topic is its only tell); gen-a mixes in a vocabulary of its own (the
# bulk of the synthetic side); gen-b writes "the" four times as often, a
# style the pooled model, which learns gen-a, reads the other way.
python3 - "$T/conf.jsonl" <<'EOF'
import json, random, sys
r = random.Random(7)
news = "minister council vote election budget report city police court officials week".split()
food = "flour butter oven sugar bake minutes salt pan stir cream dough".split()
common = "the and of a to in is was for on with".split()
ext = "delve tapestry furthermore robust seamless pivotal realm foster leverage".split()
out = open(sys.argv[1], "w")
n = 0
def doc(origin, source, gen, words):
    global n
    d = {"id": "c%d" % n, "origin": origin, "source": source, "text": " ".join(words)}
    if gen: d["generator"] = gen
    out.write(json.dumps(d) + "\n"); n += 1
def words(topic, k=60, the=None):
    w = []
    for _ in range(k):
        if the is not None and r.random() < the: w.append("the"); continue
        w.append(r.choice(topic + common))
    return w
for _ in range(150): doc("real", "news", None, words(news))
for _ in range(150): doc("real", "food", None, words(food))
for _ in range(120): doc("synthetic", "news", "gen-x", words(news))
for _ in range(300): doc("synthetic", r.choice(["news", "food"]), "gen-a",
                         [w if r.random() < 0.6 else r.choice(ext) for w in words(r.choice([news, food]))])
for _ in range(60): doc("synthetic", r.choice(["news", "food"]), "gen-b", words(r.choice([news, food]), the=0.25))
EOF
C=$T/conf.pvx
ix "$C" "$T/conf.jsonl" --source-field source
ok $? "the constructed corpus is indexed"
# field GROUP KEY...: a figure of the last JSON summary ($j), by path
# (GROUP -: the summary's top level)
field() {
	printf '%s' "$j" | python3 -c 'import json, sys
d = json.load(sys.stdin)
g = [x for x in d["groups"] if x["value"] == sys.argv[1]][0] if sys.argv[1] != "-" else d
for k in sys.argv[2:]:
    g = g[int(k)] if isinstance(g, list) else g[k]
print(json.dumps(g))' "$@"
}
j=$(pv detect "$C" --by generator --top 0 --json 2>"$T/conf.err")
ok $? "detect --by generator --json on it"
j1=$j       # the run whose scores stay in the store
own=$(field gen-b own auc)
pooled=$(field gen-b pooled auc)
awk -v o="$own" -v p="$pooled" 'BEGIN { exit !(o > p + 0.05 && o > 0.8) }'
ok $? "gen-b: its own model sees its style (AUC $own), the pooled model less ($pooled)"
is "$(field gen-b pooled auc)" "$(field gen-b auc)" "the group's plain auc is the pooled model's"
is "$(field gen-a own real)" 300 "an own model is measured against every real document"
awk -v o="$(field gen-x own auc)" 'BEGIN { exit !(o > 0.65) }'
ok $? "gen-x: against every real document, topic passes for style (AUC $(field gen-x own auc))"
is "$(field gen-x uncovered)" '{"field": "source", "values": 1, "real": 150}' \
	"gen-x: the summary names the real documents of the source it never covers"
is "$(field gen-a uncovered)" null "gen-a covers both sources: nothing to say"
like "$(cat "$T/conf.err")" "warning: generator gen-x is compared with 150 real documents of 1 source value it has no synthetic document of.*--match source" \
	"detect warns about gen-x and names --match source"
unlike "$(cat "$T/conf.err")" "gen-a|gen-b" "and about no other group"
is "$(field - match)" null "no --match: the summary says so"
unlike "$(cat "$T/conf.err")" "pooled model|reading the texts" \
	"no progress when standard error is not a terminal"
if command -v script >/dev/null 2>&1; then
	prog=$(script -qc "'$PROVEX' detect '$C' --by generator --top 0 --dry-run >/dev/null" /dev/null 2>&1 | tr '\r' '\n')
	like "$prog" "detect: pooled model and control: reading the texts +[0-9]+%" \
		"on a terminal: progress, stage by stage"
	like "$prog" "detect: pooled, control, generators 1-2 of 3: training, epoch 2 of 2 +100%" \
		"the first groups' models train in the pooled model's last epoch, and say so"
	like "$prog" "detect: generator gen-b \(3 of 3\): scoring +100%" "a group modelled in passes of its own is named"
	like "$prog" "$(printf '\033')\[Kprovex: warning: generator gen-x" \
		"the progress line is cleared before the warning that follows"
else
	skip "script (util-linux) missing: no terminal for the progress line"
	skip "script missing"
	skip "script missing"
fi

j=$(pv detect "$C" --by generator --top 0 --json --match source --dry-run 2>"$T/conf.err")
ok $? "detect --match source"
m=$(field gen-x matched auc)
awk -v m="$m" -v lo="$(field gen-x matched ci 0)" -v hi="$(field gen-x matched ci 1)" \
	'BEGIN { exit !(m < 0.62 && lo < 0.5 && hi > 0.5) }'
ok $? "gen-x matched with the real news only: indistinguishable (AUC $m, interval around 0.5)"
is "$(field gen-x matched real)" 150 "gen-x: matched against the 150 real news documents"
is "$(field gen-x matched field)" '"source"' "the matched figure names its field"
is "$(field gen-a matched real)" 300 "gen-a covers both sources: matched against all 300"
is "$(cat "$T/conf.err")" "" "--match: no warning"
is "$(field - match)" '"source"' "the summary records --match"
out=$(pv detect "$C" --by generator --top 0 --match source --dry-run 2>/dev/null)
mout=$out   # (its pooled model and thresholds are the first run's)
like "$out" "^gen-x +120 +300  0\.[0-9]{3}  \[0\.[0-9]{3}, 0\.[0-9]{3}\]  0\.[0-9]{3}  \[0\.[0-9]{3}, 0\.[0-9]{3}\]  0\.[0-9]{3}  \[0\.[0-9]{3}, 0\.[0-9]{3}\] +150$" \
	"the report: own, pooled and matched AUC side by side, and the matched real documents"
like "$out" "matched: the group's own model against the real documents of the source values it has" \
	"and says what matched means"
pv detect "$C" --match topic >/dev/null 2>"$T/err"
is $? 2 "--match of another field: a usage error"
like "$(cat "$T/err")" "cannot match on 'topic' \(source, purpose or generator\)" "naming the fields it takes"

# the thresholds: the stated one means its rate, through the filter language
# (the scores in the store are the first run's: the others were dry runs)
j=$j1
t=$(field - overall tpr 0 threshold)
is "$(field - overall tpr 0 fpr)" 0.01 "the first threshold is at 1% false positives"
is "$(pv count "$C" "origin:real score:>$t")" "$(field - overall tpr 0 real_above)" \
	"score:>T (the stated pooled threshold) keeps exactly the real documents the report counts"
awk -v n="$(field - overall tpr 0 real_above)" 'BEGIN { exit !(n <= 3) }'
ok $? "... at most 1% of the 300 real documents"
is "$(pv count "$C" "origin:synthetic score:>$t")" "$(field - overall tpr 0 synthetic_above)" \
	"and the synthetic documents it catches, as reported"
awk -v a="$(field - overall tpr 0 tpr)" -v lo="$(field - overall tpr 0 ci 0)" -v hi="$(field - overall tpr 0 ci 1)" \
	-v b="$(field - overall tpr 1 tpr)" 'BEGIN { exit !(lo <= a && a <= hi && lo < hi && b >= a) }'
ok $? "TPR at 1% within its interval; at 5% no lower"
is "$(field gen-b tpr 0 model)" '"own"' "a group's thresholds come from its own model"
out=$mout
tt=$(printf '%s\n' "$out" | sed -n 's/.*score:>\([0-9.e-]*\) keeps at most.*/\1/p')
awk -v a="$tt" -v b="$t" 'BEGIN { exit !(a >= b && a < b + 0.001) }'
ok $? "the text report states the threshold rounded up ($tt for $t)"
is "$(pv count "$C" "origin:real score:>$tt")" "$(field - overall tpr 0 real_above)" \
	"and the rounded threshold keeps the same real documents out"

# the control and the length bins
awk -v a="$(field - control auc)" 'BEGIN { exit !(a > 0.4 && a < 0.6) }'
ok $? "the shuffled-label control is near 0.5 ($(field - control auc))"
like "$out" "^control \(shuffled\) +0\.[0-9]{3}  \[0\.[0-9]{3}, 0\.[0-9]{3}\]   should be near 0\.5$" \
	"and the report shows it as the sanity line"
is "$(printf '%s' "$j" | python3 -c 'import json, sys
d = json.load(sys.stdin)
b = d["overall"]["length_bins"]
print(len(b), sum(x["synthetic"] for x in b), sum(x["real"] for x in b),
      all(b[i]["max_bytes"] < b[i + 1]["min_bytes"] for i in range(3)))')" "4 480 300 True" \
	"four length bins, in order, holding every document once"

# length alone: synthetic documents longer, the same words at the same odds
python3 - "$T/len.jsonl" <<'EOF'
import json, random, sys
r = random.Random(3)
v = "the river town market bridge morning said walked old house children bread".split()
out = open(sys.argv[1], "w")
for i in range(400):
    synth = i % 2
    k = r.randint(40, 120) if synth else r.randint(10, 90)
    out.write(json.dumps({"id": "l%d" % i, "origin": "synthetic" if synth else "real",
                          "text": " ".join(r.choice(v) for _ in range(k))}) + "\n")
EOF
ix "$T/len.pvx" "$T/len.jsonl"
j=$(pv detect "$T/len.pvx" --top 0 --json --dry-run 2>/dev/null)
is "$(printf '%s' "$j" | python3 -c 'import json, sys
d = json.load(sys.stdin)
inside = [x["auc"] for x in d["overall"]["length_bins"] if x["auc"] is not None and x["synthetic"] > 20 and x["real"] > 20]
print(d["overall"]["auc"] > 0.6, len(inside) >= 2, all(abs(a - 0.5) < abs(d["overall"]["auc"] - 0.5) for a in inside))')" \
	"True True True" "length alone: an overall AUC above 0.6, nearer 0.5 within each length bin"

# ---- --model ----
out=$(pv detect "$S" --model nb --top 0 --dry-run)
ok $? "--model nb runs"
like "$out" "^naive Bayes over word 1-2-grams and byte 3-5-grams, 5 folds, seed 0$" \
	"--model nb: the report's first line names naive Bayes"
out=$(pv detect "$S" --model lr --top 0 --dry-run)
ok $? "--model lr runs"
like "$out" "^logistic regression over word 1-2-grams, byte 3-5-grams and 10 style features, 5 folds, seed 0$" \
	"--model lr: the report's first line names the regression"
is "$(pvn detect "$S" --top 0 --dry-run | head -1)" "$(printf '%s\n' "$out" | head -1)" \
	"the regression is the default"
j=$(pvn detect "$S" --model nb --top 0 --json --dry-run)
is "$(field - model) $(field - settings model) $(field - settings smoothing)" \
	'"naive Bayes" "naive Bayes" 0.5' "--model nb --json: the summary and its settings name naive Bayes"
j=$(pvn detect "$S" --model lr --top 0 --json --dry-run)
is "$(field - model) $(field - settings model) $(field - settings epochs) $(field - settings style 1)" \
	'"logistic regression" "logistic regression" 2 "ttr"' \
	"--model lr --json: the summary and its settings name the regression, its epochs and style features"
pv detect "$S" --model lr --top 0 > /dev/null
is "$(sqlite3 "$S" "SELECT json_extract(summary, '$.model'), json_extract(settings, '$.model') FROM detect_runs ORDER BY id DESC LIMIT 1")" \
	"logistic regression|logistic regression" "the stored run names its model"
pv detect "$S" --model svm > /dev/null 2>"$T/err"
is $? 2 "--model svm: a usage error"
like "$(cat "$T/err")" "no model 'svm' \(lr: logistic regression, nb: naive Bayes\)" \
	"naming the two models there are"

# a style only the regression sees: both sides draw the same 16 words
# alike and write 8 sentences of 80 words in all (the same periods, the
# same mean sentence length); real texts write sentences of 10 words,
# synthetic ones 4 of 2 words and 4 of 18, in a random order: only the
# spread of the sentence lengths differs (as in tests/unit/test_lr.c)
python3 - "$T/style.jsonl" <<'EOF'
import json, random, sys
r = random.Random(11)
common = "the and of to is with for was river stone light paper green house table water".split()
out = open(sys.argv[1], "w")
for i in range(400):
    synth = r.random() < 0.5
    lens = [10] * 8
    if synth:
        lens = [2] * 4 + [18] * 4
        r.shuffle(lens)
    text = " ".join(" ".join(r.choice(common) for _ in range(k)) + "." for k in lens)
    out.write(json.dumps({"id": "y%d" % i, "origin": "synthetic" if synth else "real",
                          "text": text}) + "\n")
EOF
ix "$T/style.pvx" "$T/style.jsonl"
j=$(pv detect "$T/style.pvx" --model lr --top 0 --json --dry-run)
lr=$(field - overall auc)
j=$(pv detect "$T/style.pvx" --model nb --top 0 --json --dry-run)
nb=$(field - overall auc)
awk -v a="$lr" 'BEGIN { exit !(a > 0.9) }'
ok $? "style only: the regression tells the sides apart (AUC $lr)"
awk -v a="$nb" 'BEGIN { exit !(a > 0.35 && a < 0.65) }'
ok $? "style only: naive Bayes cannot (AUC $nb)"

# the regression's own and matched models are trained in threads too
sumof() { python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("seconds"); print(json.dumps(d, sort_keys=True))'; }
a=$(pv detect "$C" --model lr --by generator --match source --top 3 --json --dry-run 2>/dev/null | sumof)
b=$(pvn detect "$C" --model lr --by generator --match source --top 3 --json --dry-run --threads 1 2>/dev/null | sumof)
c=$(pvn detect "$C" --model lr --by generator --match source --top 3 --json --dry-run --threads 2 2>/dev/null | sumof)
ok $([ -n "$a" ] && [ "$a" = "$b" ] && echo 0 || echo 1) \
	"the regression's pooled, own and matched models: the same summary with 1 thread as by default"
ok $([ -n "$b" ] && [ "$b" = "$c" ] && echo 0 || echo 1) "... and as with 2"

# ---- --apply: a run's saved model scores the documents added since ----
# part A: 120 real documents and 120 of gen-a (its own vocabulary); part B,
# indexed after the run: 40 real, 40 gen-a, and 20 of unknown origin, 10
# written like gen-a and 10 like the real ones: the answer is known
python3 - "$T/apa.jsonl" "$T/apb.jsonl" <<'EOF'
import json, random, sys
r = random.Random(5)
real = "the river town market bridge morning said walked old house children bread".split()
a = "furthermore delve tapestry robust leverage seamless pivotal realm foster".split()
def doc(out, i, origin, words, gen=None):
    d = {"id": "p%d" % i, "origin": origin, "text": " ".join(words)}
    if gen: d["generator"] = gen
    out.write(json.dumps(d) + "\n")
A, B = open(sys.argv[1], "w"), open(sys.argv[2], "w")
i = 0
for k, out in ((120, A), (40, B)):
    for _ in range(k): doc(out, i, "real", [r.choice(real) for _ in range(40)]); i += 1
    for _ in range(k): doc(out, i, "synthetic", [r.choice(real + a * 2) for _ in range(40)], "gen-a"); i += 1
for _ in range(10): doc(B, i, "unknown", [r.choice(real + a * 2) for _ in range(40)]); i += 1
for _ in range(10): doc(B, i, "unknown", [r.choice(real) for _ in range(40)]); i += 1
EOF
AP=$T/ap.pvx
ix "$AP" "$T/apa.jsonl"
pv detect "$AP" --top 0 > /dev/null
ok $? "a run on part A"
is "$(sqlite3 "$AP" "SELECT run_id, kind, max_doc, hex(substr(model, 1, 4)) FROM detect_models")" \
	"1|lr|240|28B52FFD" "the run saved its model (a zstd frame), with the highest document id it saw, in detect_models"
is "$(sqlite3 "$AP" "SELECT DISTINCT model FROM scores")" pooled "its scores are the pooled model's (scores.model)"
ix "$AP" "$T/apb.jsonl"
sqlite3 "$AP" "SELECT doc_id, score, run_id, model FROM scores ORDER BY doc_id" > "$T/ap.before"
j=$(pv detect "$AP" --apply 1 --dry-run --json)
ok $? "--apply 1 --dry-run"
is "$(sqlite3 "$AP" "SELECT count(*) FROM scores")" 240 "--dry-run writes no score"
j=$(pv detect "$AP" --apply 1 --json)
ok $? "--apply 1"
is "$(field - apply) $(field - model) $(field - max_doc) $(field - documents)" \
	'1 "lr" 240 {"real": 40, "synthetic": 40, "unknown": 20}' \
	"--json: the run, its model, and the documents added since it, by origin (unknown too)"
is "$(sqlite3 "$AP" "SELECT count(*), min(doc_id) > 240, count(DISTINCT run_id), max(model) FROM scores WHERE model = 'applied'")" \
	"100|1|1|applied" "each new document has a score, with run 1 and model 'applied'"
sqlite3 "$AP" "SELECT doc_id, score, run_id, model FROM scores WHERE doc_id <= 240 ORDER BY doc_id" > "$T/ap.after"
cmp -s "$T/ap.before" "$T/ap.after"
ok $? "the run's own scores are left as they were"
t1=$(field - thresholds 0 threshold)
is "$(sqlite3 "$AP" "SELECT json_extract(summary, '$.overall.tpr[0].threshold') = $t1 FROM detect_runs WHERE id = 1")" 1 \
	"the 1% threshold is the run's"
n=$(sqlite3 "$AP" "SELECT count(*) FROM scores s JOIN docs d ON d.id = s.doc_id WHERE s.model = 'applied' AND d.origin = 'synthetic' AND s.score > $t1")
ok $([ "$n" -ge 36 ] && echo 0 || echo 1) "new gen-a documents score above the run's 1% threshold ($n of 40)"
is "$(field - thresholds 0 above synthetic)" "$n" "and the report counts them"
ok $([ "$(field - thresholds 0 above real)" -le 3 ] && echo 0 || echo 1) \
	"few new real documents do ($(field - thresholds 0 above real) of 40)"
hi=$(sqlite3 "$AP" "SELECT count(*) FROM scores s JOIN docs d ON d.id = s.doc_id WHERE d.origin = 'unknown' AND d.id <= 330 AND s.score > $t1")
lo=$(sqlite3 "$AP" "SELECT count(*) FROM scores s JOIN docs d ON d.id = s.doc_id WHERE d.origin = 'unknown' AND d.id > 330 AND s.score > $t1")
ok $([ "$hi" -ge 8 ] && [ "$lo" -le 1 ] && echo 0 || echo 1) \
	"unlabelled documents: those written like gen-a score above the threshold ($hi of 10), the others not ($lo of 10)"
is "$(pv count "$AP" 'has:score')" 340 "has:score selects the applied scores with the others"
out=$(pv detect "$AP" --apply 1)
like "$out" "^applied the logistic regression model of detect run 1 to 100 documents added since it \(ids above 240; 100 distinct texts\)$" \
	"the text report says what was scored"
like "$out" "^unknown +20 " "with a line per origin"
sqlite3 "$AP" "SELECT doc_id, score FROM scores ORDER BY doc_id" > "$T/ap.again"
j=$(pvn detect "$AP" --apply 1 --json)
sqlite3 "$AP" "SELECT doc_id, score FROM scores ORDER BY doc_id" > "$T/ap.again2"
cmp -s "$T/ap.again" "$T/ap.again2"
ok $? "applying again gives the same scores"
j=$(pvn detect "$AP" --apply 1 'origin:unknown' --json --dry-run)
is "$(field - documents)" '{"real": 0, "synthetic": 0, "unknown": 20}' "--apply RUN FILTER: the filter narrows the new documents"
pvn detect "$AP" --model nb --top 0 > /dev/null
j=$(pvn detect "$AP" --apply 2 --json --dry-run)
is "$(field - model) $(field - max_doc) $(field - documents)" '"nb" 340 {"real": 0, "synthetic": 0, "unknown": 0}' \
	"naive Bayes's model is saved too; a run that saw every document has none to score"
out=$(pvn detect "$AP" --apply 2 --dry-run)
like "$out" "nothing to score: no document the filter selects was added since run 2" "and says so"
pvn detect "$AP" --apply 9 > /dev/null 2>"$T/err"
is $? 1 "--apply 9: no such run, status 1"
like "$(cat "$T/err")" "no detect run 9 \(the runs are 1 to 2" "naming the runs there are"
pvn detect "$AP" --apply 1 --by generator > /dev/null 2>"$T/err"
is $? 2 "--apply with --by: a usage error"
like "$(cat "$T/err")" "--by does not go with it" "naming the option"
pvn detect "$AP" --apply x > /dev/null 2>"$T/err"
is $? 2 "--apply x: a usage error"
cp "$AP" "$T/ap2.pvx"
sqlite3 "$T/ap2.pvx" "UPDATE detect_models SET model = x'28b52ffd0000' WHERE run_id = 1; DELETE FROM detect_models WHERE run_id = 2"
sqlite3 "$T/ap2.pvx" "SELECT count(*) FROM scores" > "$T/ap2.n"
pvn detect "$T/ap2.pvx" --apply 1 > /dev/null 2>"$T/err"
is $? 1 "a damaged saved model: status 1"
like "$(cat "$T/err")" "detect run 1: the saved model is damaged.*run provex detect again" "saying so and what to do"
pvn detect "$T/ap2.pvx" --apply 2 > /dev/null 2>"$T/err"
like "$(cat "$T/err")" "detect run 2 saved no model" "a run without a saved model: said so"
is "$(sqlite3 "$T/ap2.pvx" "SELECT count(*) FROM scores")" "$(cat "$T/ap2.n")" "and no score is written"
# a store of schema 5 (no saved models, no scores.model) is upgraded
sqlite3 "$T/ap2.pvx" "DROP TABLE detect_models; ALTER TABLE scores DROP COLUMN model; ALTER TABLE scores DROP COLUMN own; PRAGMA user_version=5;"
pvn detect "$T/ap2.pvx" --top 0 > /dev/null
ok $? "detect on a store of schema 5"
is "$(sqlite3 "$T/ap2.pvx" "PRAGMA user_version; SELECT count(*) FROM detect_models; SELECT DISTINCT model FROM scores")" \
	"6
1
pooled" "upgraded to 6: the run's model saved, its scores marked pooled"

# a group's own model is the same whichever batch it is trained in: alone
# by --by generator, gen-x rides along the pooled passes; with --match
# (two models a group) it is trained in a batch of its own
j=$(pvn detect "$C" --by generator --top 0 --json --dry-run 2>/dev/null)
x1="$(field gen-x own) $(field gen-b own) $(field gen-b tpr)"
j=$(pvn detect "$C" --by generator --match source --top 0 --json --dry-run 2>/dev/null)
x2="$(field gen-x own) $(field gen-b own) $(field gen-b tpr)"
ok $([ -n "$(field gen-x own auc)" ] && [ "$x1" = "$x2" ] && echo 0 || echo 1) \
	"own models and their thresholds do not depend on the batch they were trained in"

# scores.own: each synthetic document's probability by its group's own
# model, in the units of the group's thresholds
j=$(pvn detect "$C" --by generator --top 0 --json 2>/dev/null)
is "$(sqlite3 "$C" "SELECT sum(d.origin = 'real' AND s.own IS NULL), sum(d.origin = 'synthetic' AND s.own BETWEEN 0 AND 1), count(*) FROM scores s JOIN docs d ON d.id = s.doc_id")" \
	"300|480|780" "scores.own: NULL for real documents, a probability for every synthetic one"
is "$(sqlite3 "$C" "SELECT count(*) FROM scores s JOIN docs d ON d.id = s.doc_id WHERE d.generator = 'gen-b' AND s.own > $(field gen-b tpr 0 threshold)")" \
	"$(field gen-b tpr 0 synthetic_above)" "gen-b's documents above its own 1% threshold by scores.own: as many as the report says"

# ---- a public corpus: detector-bias, by generator ----
d=$SHARED/corpora/detector-bias/Data_and_Results
if [ -d "$d" ]; then
	P=$T/db.pvx
	"$PROVEX" index "$P" "$d/Human_Data/TOEFL_real_91/data.json" \
		"$d/Human_Data/HewlettStudentEssay_real_88/data.json" \
		"$d/Human_Data/CollegeEssay_real_70/data.json" \
		"$d/Human_Data/CS224N_real_145/data.json" \
		--text-field document --origin real -q &&
	"$PROVEX" index "$P" "$d/Human_Data/TOEFL_gpt4polished_91/data.json" \
		"$d/Human_Data/HewlettStudentEssay_GPTsimplify_88/data.json" \
		"$d/GPT_Data/CS224N_gpt3PromptEng_145/data.json" \
		--text-field document --origin synthetic --generator GPT4 -q &&
	"$PROVEX" index "$P" "$d/GPT_Data/CollegeEssay_gpt3_31/data.json" \
		"$d/GPT_Data/CollegeEssay_gpt3PromptEng_31/data.json" \
		"$d/GPT_Data/CS224N_gpt3_145/data.json" \
		--text-field document --origin synthetic --generator GPT3 -q
	ok $? "detector-bias: indexed"
	j=$(pv detect "$P" --by generator --json --top 5)
	ok $? "detector-bias: detect --by generator exits 0"
	is "$(printf '%s' "$j" | python3 -c 'import json,sys; d=json.load(sys.stdin)
print(" ".join("%s=%d:%s" % (g["value"], g["synthetic"], 0.6 < g["auc"] <= 1 and g["ci"][0] <= g["auc"] <= g["ci"][1]) for g in d["groups"]), d["real"])')" \
		"GPT4=324:True GPT3=207:True 394" \
		"detector-bias: each generator's AUC against the 394 human texts is a sane number"
else
	skip "../shared/corpora/detector-bias not found: no public corpus run"
fi

done_testing
