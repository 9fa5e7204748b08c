#!/bin/sh
# provex review through tmux and the report: a pairs session answered with
# 1, 2, the arrows and skips, stopped, resumed and finished; single mode;
# what is stored in review_answers (checked with sqlite3); a store
# relabelled during a session; bad inputs; the report as text and JSON,
# with kappa when reviewers answered the same pairs, and is:disputed.
. "$top_srcdir/tests/tui/lib.sh"
export XDG_CONFIG_HOME="$T/cfg"
export LC_ALL=C.UTF-8
unset PROVEX_REVIEWER
if ! command -v sqlite3 > /dev/null 2>&1; then
	echo "1..0 # SKIP sqlite3 is not installed"
	exit 0
fi
S=$T/s.pvx
q() { sqlite3 "$1" "$2"; }

# 12 documents with text: r1..r6 real, s1..s6 synthetic (news and forum,
# by gpt-x and llama), and s7, whitespace only.  No provenance word is in
# any text, so the screen can be searched for them.
python3 - "$T/in.jsonl" <<'PY'
import json, sys
out = open(sys.argv[1], "w")
for i in range(1, 7):
    out.write(json.dumps({"id": "r%d" % i, "origin": "real",
        "source": "news" if i <= 3 else "forum",
        "text": "note %d: the tide came in over the harbour wall %s" % (i, "and then some more " * i)}) + "\n")
for i in range(1, 7):
    out.write(json.dumps({"id": "s%d" % i, "origin": "synthetic",
        "source": "news" if i <= 3 else "forum", "generator": "gpt-x" if i % 2 else "llama",
        "text": "item %d: the river ran quietly past the mill %s" % (i, "and on and on " * i)}) + "\n")
out.write(json.dumps({"id": "s7", "origin": "synthetic", "source": "news",
    "generator": "gpt-x", "text": "   \n\t  "}) + "\n")
PY
pv index "$S" "$T/in.jsonl" --id-field id --origin-field origin --source-field source \
	--generator-field generator -q
ok $? "a store of 13 documents"
E=$(q "$S" "SELECT id FROM docs WHERE ext_id='s7'")

# ---- bad inputs first: nothing recorded ----
out=$(pv review "$S" 'origin:real' 2>&1); st=$?
is "$st" 1 "a filter with no synthetic documents: exit 1"
like "$out" "no synthetic documents.*needs both real and synthetic" "and says why"
out=$(pv review "$S" 'origin:synthetic' 2>&1); st=$?
is "$st" 1 "a filter with no real documents: exit 1"
like "$out" "no real documents" "and says so"
out=$(pv review "$S" "id:$E,1" 2>&1); st=$?
is "$st" 1 "an empty document does not count as a synthetic one"
like "$out" "empty documents" "and the message says empty documents are left out"
out=$(pv review "$S" 'source:(' 2>&1); st=$?
is "$st" 2 "a filter that does not parse: usage error"
out=$(pv review "$S" --single --pairs 2>&1); st=$?
is "$st" 2 "--single and --pairs together: usage error"
out=$(pv review "$S" --report 2>&1); st=$?
is "$st" 0 "a report with no answers: exit 0"
like "$out" "^no review answers yet: provex review STORE starts a session" "and a clear message"
out=$(pv review "$S" --report --json)
is "$(printf '%s' "$out" | json_num answers)" 0 "--json with no answers: answers 0"
is "$(printf '%s' "$out" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["groups"]))')" \
	0 "and no groups"
is "$(q "$S" 'SELECT count(*) FROM review_sessions')" 0 "no session was stored"

# ---- a pairs session ----
tui_start 120 30 review "$S" --reviewer alice --seed 5
tui_see 'item 1 of 6' "provex review opens at item 1 of 6 pairs"
like "$(tui_status)" "new pairs session: 6 items; 1 empty document left out" \
	"the status line says what the session is"
like "$(tui_row 0)" "1  left document .*2  right document" "two panes, left (1) and right (2)"
like "$(tui_row 1)" "provenance hidden" "provenance hidden"
unlike "$(printf '%s\n' "$SCREEN" | head -n 28)" "gpt-x|llama|news|forum|synthetic|real|#[0-9]" \
	"no origin, source, generator or document id on screen"
like "$(tui_row 2)" "note|item" "the texts are shown"
like "$(tui_row 28)" "1/Left: left is synthetic +2/Right: right is synthetic +s/Space: skip" \
	"the keys are on screen"
tui_keys '?'
tui_see 'Blind review: which of the two documents is synthetic' "? shows the help"
tui_keys x
tui_wait_gone 'Blind review'
ok $? "any key closes it"
tui_keys 1;      tui_see 'item 2 of 6' "1 answers: item 2 of 6"
unlike "$(tui_status)" "correct|wrong|right answer" "no feedback after an answer"
tui_keys Right;  tui_see 'item 3 of 6' "Right answers"
tui_keys j Down; tui_see 'item 3 of 6' "scrolling answers nothing"
tui_keys s;      tui_see 'item 4 of 6' "s skips"
tui_keys Space;  tui_see 'item 5 of 6' "Space skips"
tui_quit
is "$TUI_RC" 0 "q stops the session"
is "$(q "$S" "SELECT group_concat(answer, ' ') FROM (SELECT answer FROM review_answers ORDER BY item)")" \
	"left right skip skip" "review_answers holds the four answers in order"
is "$(q "$S" "SELECT group_concat(item, ' ') FROM (SELECT item FROM review_answers ORDER BY item)")" \
	"1 2 3 4" "numbered by item"
is "$(q "$S" "SELECT count(*) FROM review_answers a JOIN docs l ON l.id=a.left_doc
	JOIN docs r ON r.id=a.right_doc WHERE (a.truth='left' AND l.origin='synthetic' AND
	r.origin='real') OR (a.truth='right' AND l.origin='real' AND r.origin='synthetic')")" 4 \
	"each with the hidden truth: the side the synthetic document was shown on"
is "$(q "$S" "SELECT count(*) FROM review_answers WHERE (answer='skip' AND correct IS NULL)
	OR (answer<>'skip' AND correct=(answer=truth))")" 4 "correct is 1/0, NULL for a skip"
is "$(q "$S" "SELECT count(*) FROM review_answers WHERE reviewer='alice' AND ms >= 0")" 4 \
	"the reviewer and the time taken"
is "$(q "$S" "SELECT count(*) FROM review_answers a JOIN docs l ON l.id=a.left_doc
	JOIN docs r ON r.id=a.right_doc WHERE l.text_id=r.text_id")" 0 "never two identical texts"
is "$(q "$S" "SELECT reviewer||' '||mode||' '||seed||' '||(finished IS NULL) FROM review_sessions")" \
	"alice pairs 5 1" "one session: reviewer, mode, seed, unfinished"

# ---- resumed ----
tui_start 120 30 review "$S" --reviewer alice
tui_see 'item 5 of 6' "the same reviewer, mode and filter resume at the first unanswered item"
like "$(tui_status)" "session 1 resumed: 4 of 6 items done" "and say so"
tui_keys Left;   tui_see 'item 6 of 6' "Left answers"
tui_quit
is "$TUI_RC" 0 "the session ends with exit status 0"
is "$(q "$S" 'SELECT count(*) FROM review_sessions')" 1 "still one session"
is "$(q "$S" "SELECT item||':'||answer FROM review_answers ORDER BY id DESC LIMIT 1")" "5:left" \
	"the answer after resuming is item 5"
tui_start 120 30 review "$S" --reviewer alice
tui_see 'item 6 of 6' "resumed again at item 6"
tui_keys 2
tui_see 'This session is complete' "the last answer completes the session"
tui_keys j
tui_see 'the session is complete: q quits' "keys do nothing more"
tui_quit
is "$TUI_RC" 0 "the session ends with exit status 0"
is "$(q "$S" 'SELECT finished IS NOT NULL FROM review_sessions WHERE id=1')" 1 "the session is finished"
is "$(q "$S" "SELECT count(*) FROM review_answers WHERE left_doc=$E OR right_doc=$E")" 0 \
	"the empty document was never shown"

# ---- single mode ----
tui_start 100 24 review "$S" --single --reviewer alice
tui_see 'item 1 of 12' "single mode: 12 documents, one at a time"
like "$(tui_row 22)" "r: real  s: synthetic  Space: skip" "with its keys"
unlike "$(printf '%s\n' "$SCREEN" | head -n 22)" "gpt-x|llama|news|forum|#[0-9]" "provenance hidden"
tui_keys r;     tui_see 'item 2 of 12' "r: real"
tui_keys s;     tui_see 'item 3 of 12' "s: synthetic"
tui_keys Space; tui_see 'item 4 of 12' "Space skips"
tui_quit
is "$TUI_RC" 0 "the session ends with exit status 0"
is "$(q "$S" "SELECT group_concat(a.answer||':'||(a.truth=d.origin), ' ') FROM (SELECT * FROM
	review_answers ORDER BY item) a JOIN review_sessions s ON s.id=a.session_id
	JOIN docs d ON d.id=a.left_doc WHERE s.mode='single'")" "real:1 synthetic:1 skip:1" \
	"single answers with each document's origin as the truth"
is "$(q "$S" "SELECT count(*) FROM review_answers WHERE right_doc IS NOT NULL AND session_id=
	(SELECT id FROM review_sessions WHERE mode='single')")" 0 "and no right document"

# ---- two more reviewers on the same pairs (the same seed) ----
tui_start 120 30 review "$S" --reviewer bob --seed 5
tui_see 'item 1 of 6' "bob: a session with the seed of alice's"
tui_keys 2;     tui_see 'item 2 of 6' "bob answers the other way"
tui_keys 1;     tui_see 'item 3 of 6' "twice"
tui_keys Left;  tui_see 'item 4 of 6' "then answers"
tui_keys Left;  tui_see 'item 5 of 6' "what alice skipped"
tui_quit
is "$TUI_RC" 0 "the session ends with exit status 0"
tui_start 120 30 review "$S" --reviewer carol --seed 5
tui_see 'item 1 of 6' "carol too"
tui_keys 1;     tui_see 'item 2 of 6' "carol answers as alice"
tui_keys 1;     tui_see 'item 3 of 6' "and as bob"
tui_quit
is "$TUI_RC" 0 "the session ends with exit status 0"
is "$(pv count "$S" is:disputed)" 4 "is:disputed: the four documents of the two pairs answered differently"
ids=$(q "$S" "SELECT group_concat(id, ' ') FROM (SELECT left_doc AS id FROM review_answers WHERE
	reviewer='bob' AND item<=2 UNION SELECT right_doc FROM review_answers WHERE reviewer='bob'
	AND item<=2 ORDER BY id)")
is "$(pv ls "$S" is:disputed --json | python3 -c 'import json,sys
print(" ".join(str(json.loads(l)["id"]) for l in sys.stdin))')" "$ids" "the documents of items 1 and 2"
is "$(pv count "$S" -- -is:disputed)" 9 "-is:disputed: the others"

# ---- the report ----
out=$(pv review "$S" --report)
like "$out" "^blind review: 15 answers in 4 sessions by 3 reviewers \\(3 skipped\\)" \
	"the report counts answers, sessions, reviewers and skips"
like "$out" "pairs: which of two documents is synthetic \\(chance: 50%\\)" "a section for pairs"
like "$out" "single: real or synthetic, one document at a time" "and one for single mode"
like "$out" "  all +10 +[0-9]+ +[0-9]+%  \\[[0-9]+–[0-9]+\\]" "accuracy with its 95% interval"
like "$out" "(people tell real and synthetic documents apart|real and synthetic documents: not distinguishable at this sample size): [0-9]+% \\[[0-9]+–[0-9]+\\], n=10" \
	"a plain verdict with the numbers"
like "$out" "alice and bob: Cohen's kappa .*agreeing on 0% of 2 pairs" "Cohen's kappa of alice and bob"
like "$out" "alice and carol: Cohen's kappa .* of 2 pairs" "of alice and carol"
like "$out" "Fleiss' kappa .*3 reviewers, 2 pairs answered by two or more" "Fleiss' kappa over three"
out=$(pv review "$S" --report --by generator --pairs)
like "$out" "^  generator +answered" "--by generator: a generator column"
like "$out" "  gpt-x +[0-9]" "a row for gpt-x"
like "$out" "  llama +[0-9]" "and for llama"
like "$out" "(people tell generator gpt-x apart|generator gpt-x: not distinguishable at this sample size|generator gpt-x: people answer wrong more often than chance)" \
	"a verdict per generator"
unlike "$out" "single:" "--pairs keeps pairs mode"
out=$(pv review "$S" --report --by generator --single)
if [ "$(q "$S" "SELECT count(*) FROM review_answers a JOIN review_sessions s ON
	s.id=a.session_id WHERE s.mode='single' AND a.truth='real'")" -gt 0 ]; then
	like "$out" "\\(real documents\\)" "single mode by generator: real documents are a group"
else
	unlike "$out" "\\(real documents\\)" "single mode by generator: no real document answered"
fi
out=$(pv review "$S" --report --by source)
like "$out" "  news +[0-9]" "--by source"
out=$(pv review "$S" --report --by reviewer --pairs)
like "$out" "  bob +4 " "--by reviewer: bob answered 4"
like "$out" "(bob tells them apart|bob: not distinguishable at this sample size|bob: answers wrong)" \
	"with a verdict"
out=$(LC_ALL=C pv review "$S" --report)
like "$out" "\\[[0-9]+-[0-9]+\\]" "a plain hyphen outside UTF-8"
out=$(pv review "$S" --report --by purpose 2>&1); st=$?
is "$st" 2 "--by purpose: usage error"
out=$(pv review "$S" --report --by reviewer --json)
is "$(printf '%s' "$out" | json_num answers)" 15 "--json: answers"
is "$(printf '%s' "$out" | json_num skipped)" 3 "skipped"
is "$(printf '%s' "$out" | python3 -c 'import json,sys
d = json.load(sys.stdin)
g = [x for x in d["groups"] if x["mode"] == "pairs" and x["value"] == "bob"][0]
print(g["answered"], g["correct"] + (g["answered"] - g["correct"]), 0 <= g["low"] <= g["accuracy"] <= g["high"] <= 1, g["verdict"] in ("apart", "not distinguishable", "below chance"))')" \
	"4 4 True True" "a group: answered, correct, accuracy within its interval, verdict"
is "$(printf '%s' "$out" | python3 -c 'import json,sys
d = json.load(sys.stdin)
a = [x for x in d["agreement"] if x["mode"] == "pairs"][0]
c = [x for x in a["cohen"] if x["a"] == "alice" and x["b"] == "bob"][0]
print(c["items"], c["agreement"], a["fleiss"]["reviewers"], a["fleiss"]["items"])')" \
	"2 0.0 3 2" "agreement: Cohen per pair of reviewers, Fleiss over three"

# ---- one document per class; relabelled during a session ----
S2=$T/two.pvx
printf '%s\n' '{"id":"a","origin":"real","text":"one plain document"}' \
	'{"id":"b","origin":"synthetic","text":"another plain document here"}' > "$T/two.jsonl"
pv index "$S2" "$T/two.jsonl" --id-field id --origin-field origin -q
tui_start 100 24 review "$S2" --reviewer dave
tui_see 'item 1 of 1' "one document per class: one pair"
# while it is on screen, the store is relabelled: a and b swap origins
pv label "$S2" 'id:1' --set origin=synthetic > /dev/null 2>&1
pv label "$S2" 'id:2' --set origin=real > /dev/null 2>&1
tui_keys 1
tui_see 'This session is complete' "answered after the relabelling"
tui_quit
is "$TUI_RC" 0 "the session ends with exit status 0"
is "$(q "$S2" "SELECT truth = CASE left_doc WHEN 1 THEN 'left' ELSE 'right' END FROM review_answers")" \
	1 "the truth recorded is the origin at answer time (document 1, synthetic now)"
tui_start 100 24 review "$S2" --reviewer dave
tui_see 'new pairs session: 1 item ' "a finished session is not resumed: a new one"
pv label "$S2" 'id:1' --set origin=real > /dev/null 2>&1
tui_keys 2
tui_see 'not recorded: documents [12] and [12] are now real and real' "both real now: the answer is not recorded, and it says so"
tui_quit
is "$TUI_RC" 0 "the session ends with exit status 0"
is "$(q "$S2" 'SELECT count(*) FROM review_answers')" 1 "nothing more in review_answers"

# ---- a reviewer from the configuration ----
mkdir -p "$XDG_CONFIG_HOME/provex"
printf 'reviewer: erin\n' > "$XDG_CONFIG_HOME/provex/config.yaml"
pv label "$S2" 'id:2' --set origin=synthetic > /dev/null 2>&1
tui_start 100 24 review "$S2"
tui_see 'reviewer erin' "the configuration's reviewer when there is no --reviewer"
tui_keys Space
tui_see 'This session is complete' "answered"
tui_quit
is "$TUI_RC" 0 "the session ends with exit status 0"
is "$(q "$S2" "SELECT reviewer FROM review_answers ORDER BY id DESC LIMIT 1")" erin "stored as erin"
is "$(pv review "$S2" --report --by reviewer | grep -c 'erin: no answers (only skips)')" 1 \
	"a group of skips only: no answers"

is "$(q "$S" 'PRAGMA integrity_check')" ok "the store is intact"
# the reviewer's name is checked as provex label checks it
err=$(PROVEX_REVIEWER="$(printf 'x\342\200\256y')" pv review "$S" 2>&1 >/dev/null)
is "$?" 2 "a bad PROVEX_REVIEWER: usage error"
like "$err" 'the reviewer name from PROVEX_REVIEWER "x<U\+202E>y" holds a bidi control' \
	"and the message says where it came from"

done_testing
