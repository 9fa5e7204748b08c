#!/bin/sh
# The statistics view through tmux: S opens it on the active filter,
# counts with bars, the length and ratio histograms (two series, the
# ratio one over a sample that says its size), scrolling (j/k, PgDn/PgUp,
# g/G), q and Esc back to the list, resizing down to 40x10 and up to
# 200x50, a filter without synthetic documents, and the detect run's
# words and AUCs once there is one ("run provex detect" before), the
# per-group figures of newer runs (own, pooled, matched AUC, TPR at 1%
# FPR, the control, the values a group never covers); each
# series' exact median, and ratio bins that resolve where the documents
# are, with the very repetitive ones gathered in an open last bin.
. "$top_srcdir/tests/tui/lib.sh"
export XDG_CONFIG_HOME="$T/cfg"
export PROVEX_STATS_SAMPLE=20
S=$T/s.pvx

find_down() {	# find_down PATTERN: from the top, a page at a time until PATTERN shows
	tui_keys g
	tui_wait ' 1-[0-9]+/[0-9]+ *$' || return 1
	while :; do
		tui_settle
		printf '%s\n' "$SCREEN" | grep -Eq -- "$1" && return 0
		fd_pos=$(tui_status | grep -Eo '[0-9]+-[0-9]+/[0-9]+ *$' | tr -d ' ')
		fd_top=${fd_pos%%-*}; fd_rest=${fd_pos#*-}; fd_bot=${fd_rest%%/*}; fd_all=${fd_rest#*/}
		[ "$fd_bot" -ge "$fd_all" ] && return 1
		tui_keys PageDown
		tui_wait_gone " $fd_top-$fd_bot/$fd_all *\$" || return 1
	done
}

see_down() {	# see_down PATTERN NAME: a test that paging down shows PATTERN
	if find_down "$1"; then
		ok 0 "$2"
	else
		ok 1 "$2"
		printf '%s\n' "$SCREEN" | sed 's/^/#   | /'
	fi
}

tui_store "$S"
ok $? "a store of 60 documents"

tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "the list opens"
tui_keys S
tui_see '^statistics' "S opens the statistics view"
tui_see '60 documents: 30 real, 30 synthetic, 0 unknown' "the totals of the filter"
like "$SCREEN" 'by origin' "counts by origin"
like "$SCREEN" '  real +30  50\.0% █+' "the real documents with their share and a bar"
like "$SCREEN" '  synthetic +30  50\.0% █+' "the synthetic ones"
like "$SCREEN" '  forum +30  50\.0% █+' "counts by source"
like "$SCREEN" '  gpt-x +30 ' "by generator"
like "$(tui_status)" 'j/k PgDn/PgUp: scroll  q: back +1-28/[0-9]+ *$' "the status line: keys and the rows shown"
total=$(tui_status | sed 's/.*1-28\/\([0-9]*\).*/\1/')

tui_keys j;        tui_see '2-29/' "j scrolls down a row"
tui_keys k;        tui_see '1-28/' "k scrolls back"
tui_keys PageDown; tui_see '28-55/' "PgDn scrolls a page (one row kept)"
tui_keys PageUp;   tui_see '1-28/' "PgUp scrolls back"
tui_keys G;        tui_see "$((total - 27))-$total/$total" "G goes to the end"
like "$SCREEN" 'no detect run yet: run provex detect' "without a detect run the view says to run provex detect"
like "$SCREEN" 'no blind review answers yet: run provex review' "and provex review"
tui_keys g;        tui_see '1-28/' "g goes to the top"
see_down 'bytes, log scale; all 60 documents' "the length histogram, over every document"
see_down '█ real 30, median [0-9,.]+ bytes +▒ synthetic 30, median [0-9,.]+ bytes' \
	"its legend: a character per series, with its median"
see_down '▒+ [0-9.]+%' "synthetic bars with their shares"
see_down 'length / compressed length; sample of 20 of 60 documents' \
	"the ratio histogram says it is over a sample of 20"

# small and large screens
tx resize-window -t pv -x 40 -y 10
tui_see '^statistics' "at 40x10 the view is still drawn"
like "$(tui_status)" '/' "with its status line ($(tui_status))"
long=$(printf '%s\n' "$SCREEN" | python3 -c 'import sys; print(sum(len(l.rstrip("\n")) > 40 for l in sys.stdin))')
is "$long" 0 "no row is wider than the screen"
tui_keys g
tui_see '60 documents: 30 real, 30' "the totals wrap at 40 columns"
tui_keys j j j j
tui_see ' 5-12/' "and it scrolls"
tx resize-window -t pv -x 200 -y 50
tui_see '1-48/|[0-9]+-[0-9]+/' "at 200x50"
tui_keys g
tui_see 'by label' "more of it shows at once"
like "$SCREEN" '  real +30  50\.0% █{40,}' "and the bars are longer"
tx resize-window -t pv -x 100 -y 30
tui_keys q
tui_see ' 1/60 *$' "q goes back to the list"

# a filter without synthetic documents
tui_keys /
tui_type 'origin:real'
tui_keys Enter
tui_see ' 1/30 *$' "filter origin:real"
tui_keys S
tui_see '^statistics' "S on the filter"
tui_see '30 documents: 30 real, 0 synthetic' "counts only the filter's documents"
tui_keys PageDown
tui_see 'no synthetic documents: only the real ones are drawn' \
	"the histograms say there is nothing to compare with"
tui_keys Escape
tui_see ' 1/30 *$' "Esc goes back to the list"
tui_quit
is "$TUI_RC" 0 "provex exits 0"

# with a detect run: its words and AUCs
"$PROVEX" detect "$S" --folds 3 > /dev/null 2>&1
ok $? "provex detect on the store"
tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "the list opens again"
tui_keys S
tui_see '60 documents: 30 real' "the statistics again"
tui_keys G
tui_see 'AUC [01]\.[0-9]{3} \[' "the detector's AUC with its interval"
like "$SCREEN" '\|' "drawn on a scale with chance marked"
see_down 'from detect run 1 ' "the distinguishing words come from the latest detect run"
like "$SCREEN" 'synthetic: ' "with the synthetic side's words"
tui_quit
is "$TUI_RC" 0 "provex exits 0"

# the per-group figures of newer detect runs: own, pooled and matched
# AUCs, TPR at 1% FPR, the shuffled-label control and the field values a
# group never covers, from a summary written here (not by provex detect,
# so this does not wait on what detect writes); a group of an older run
# has a dash for each
cat > "$T/summary.json" <<'EOF'
{"overall":{"auc":0.9,"ci":[0.85,0.95],"se":0.02},"real":30,"synthetic":30,
 "by":"generator","model":"naive Bayes","match":"source",
 "control":{"auc":0.503,"ci":[0.47,0.53],"se":0.01},
 "groups":[{"value":"gpt-x","synthetic":30,"real":30,"auc":0.87,"ci":[0.83,0.91],"se":0.02,
  "words":null,"pooled":{"auc":0.87,"ci":[0.83,0.91],"se":0.02,"real":30},
  "own":{"auc":0.912,"ci":[0.88,0.94],"se":0.015,"real":30},
  "matched":{"auc":0.701,"ci":[0.65,0.75],"se":0.03,"real":12,"field":"source"},
  "tpr":[{"fpr":0.01,"tpr":0.62,"ci":[0.58,0.66],"threshold":0.83,"model":"own"},
         {"fpr":0.05,"tpr":0.8,"ci":[0.76,0.84],"threshold":0.41,"model":"own"}],
  "length_bins":[{"min_bytes":0,"max_bytes":500,"synthetic":30,"real":30,"auc":0.8,"ci":[0.7,0.9]}],
  "uncovered":{"field":"source","values":3,"real":18}},
  {"value":"old-gen","synthetic":5,"real":30,"auc":0.6,"ci":[0.55,0.65]}]}
EOF
sqlite3 "$S" "UPDATE detect_runs SET summary = CAST(readfile('$T/summary.json') AS TEXT) WHERE id = (SELECT max(id) FROM detect_runs)"
ok $? "a detect run summary with the per-group figures"
tui_start 80 24 browse "$S"
tui_see ' 1/60 *$' "the list opens at 80x24"
tui_keys S
tui_see '60 documents: 30 real' "the statistics"
tui_keys G
tui_see 'gpt-x +own 0\.912 \[0\.880-0\.940\] +pooled 0\.870 \[0\.830-0\.910\]' \
	"a group's own and pooled AUCs with their intervals on its row"
like "$SCREEN" '  30 synthetic +matched 0\.701 \[0\.650-0\.750\]  TPR@1% 62\.0% \[58\.0-66\.0\]' \
	"its matched AUC and TPR at 1% FPR on the next, its synthetic documents under its name"
like "$SCREEN" 'old-gen +own — +pooled 0\.600 \[0\.550-0\.650\]' "a group without them: a dash, and its pooled AUC"
like "$SCREEN" 'control, labels shuffled: AUC 0\.503 \[0\.470-0\.530\]: about 0\.5' "the shuffled-label control"
like "$SCREEN" 'real documents in source values a group never covers, where topic' "a warning for the values a group never covers"
like "$SCREEN" 'gpt-x \(18 in 3 values\)' "naming the group, its real documents and the values"
like "$SCREEN" 'the matched AUCs \(--match source\) leave them' "and --match source"
like "$SCREEN" 'TPR@1%: synthetic' "a legend for the abbreviations"
long=$(printf '%s\n' "$SCREEN" | python3 -c 'import sys; print(sum(len(l.rstrip("\n")) > 80 for l in sys.stdin))')
is "$long" 0 "no row is wider than 80 columns"
tx resize-window -t pv -x 40 -y 24
tui_keys G
tui_see '^    own 0\.912 \[0\.880-0\.940\]' "at 40 columns a figure a row"
like "$SCREEN" '  gpt-x  30 synthetic' "under the group's name and count"
tui_quit
is "$TUI_RC" 0 "provex exits 0"

# ratio bins where the documents are: 200 real, 194 synthetic and 6 very
# repetitive synthetic documents (the page test's store, tests/cli/
# stats_html.sh); the view's ratio histogram read off the screen
python3 - "$T/bulk.jsonl" <<'EOF'
import json, random, sys
r = random.Random(11)
def word(k): return "".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(k))
big = [word(r.randint(3, 9)) for _ in range(3000)]
small = big[:150]
out = open(sys.argv[1], "w")
for i in range(200):
    out.write(json.dumps({"id": "b%d" % i, "origin": "real", "text": " ".join(r.choice(big) for _ in range(r.randint(40, 300)))}) + "\n")
for i in range(194):
    out.write(json.dumps({"id": "b%d" % (200 + i), "origin": "synthetic", "text": " ".join(r.choice(small) for _ in range(r.randint(40, 300)))}) + "\n")
for i in range(6):
    out.write(json.dumps({"id": "b%d" % (400 + i), "origin": "synthetic", "text": ("as an AI model I cannot %d " % i) * r.randint(200, 400)}) + "\n")
EOF
"$PROVEX" index "$T/bulk.pvx" "$T/bulk.jsonl" --id-field id --origin-field origin -q
ok $? "a store of 400 documents, 6 of them very repetitive"
PROVEX_STATS_SAMPLE=1000
export PROVEX_STATS_SAMPLE
tui_start 100 70 browse "$T/bulk.pvx"
tui_see ' 1/400 *$' "the list opens"
tui_keys S
tui_see '400 documents: 200 real' "the statistics of the 400 documents"
see_down 'real 200, median 1,144\.5 bytes +▒ synthetic 200, median 1,205 bytes' \
	"the length legend gives each series' exact median (1,144.5: the mean of the two middle lengths)"
see_down 'length / compressed length; all 400 documents' "the ratio histogram"
# bring its title to the top row, so the whole histogram shows
row=$(printf '%s\n' "$SCREEN" | grep -n 'compression ratio' | head -1 | cut -d: -f1)
if [ -n "$row" ] && [ "$row" -gt 2 ]; then
	i=2
	keys=
	while [ "$i" -lt "$row" ]; do keys="$keys j"; i=$((i + 1)); done
	# shellcheck disable=SC2086
	tui_keys $keys
fi
tui_see '^ compression ratio' "its title at the top"
like "$SCREEN" 'real 200, median [0-9]\.[0-9]{2} +▒ synthetic 200, median [0-9]\.[0-9]{2}' \
	"its legend gives each series' median ratio"
printf '%s\n' "$SCREEN" | python3 -c '
import re, sys
rows = sys.stdin.read().split("\n")
start = next(i for i, r in enumerate(rows) if r.startswith(" compression ratio"))
bins, lab = [], None
for r in rows[start + 3:]:
    m = re.match(r"^  (.{7})([█▒]+) ([\d.]+)%", r)
    if not m:
        if r.strip() and not r.startswith("  ") or r.startswith(" ") and not r.startswith("  "):
            break
        m2 = re.match(r"^  (\S+)\s*$", r)
        if m2:
            bins.append([m2.group(1), 0.0, 0.0])
        continue
    if m.group(1).strip():
        bins.append([m.group(1).strip(), 0.0, 0.0])
    side = 1 if m.group(2)[0] == "█" else 2
    bins[-1][side] = float(m.group(3))
print("bins %d" % len(bins))
print("first %s %.1f %.1f" % tuple(bins[0]))
print("last %s %.1f %.1f" % tuple(bins[-1]))
print("realbins %d" % sum(1 for b in bins if b[1] > 0))
' > "$T/view.bins"
ok "$(awk '/^first/ { print ($3 < 50 && $4 < 50) ? 0 : 1 }' "$T/view.bins")" \
	"the first ratio bin no longer holds the bulk ($(grep first "$T/view.bins"))"
ok "$(awk '/^realbins/ { print ($2 >= 8) ? 0 : 1 }' "$T/view.bins")" \
	"the real documents show in many bins ($(grep realbins "$T/view.bins"))"
like "$(grep last "$T/view.bins")" '^last >=[0-9.]+ [0-9.]+ ([3-9]|1[0-9])\.[0-9]$' \
	"the repetitive ones in an open last bin, 3% of the synthetic documents or more ($(grep last "$T/view.bins"))"
tui_quit
is "$TUI_RC" 0 "provex exits 0"

done_testing
