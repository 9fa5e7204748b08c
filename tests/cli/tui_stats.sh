#!/bin/sh
# The statistics view through tmux: S opens it on the active filter,
# counts with bars, the length and ratio histograms (two series, the
# ratio one over a sample that says its size), scrolling (j/k, PgDn/PgUp,
# g/G), q and Esc back to the list, resizing down to 40x10 and up to
# 200x50, a filter without synthetic documents, and the detect run's
# words and AUCs once there is one ("run provex detect" before).
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/tui_lib.sh"
. "$top_srcdir/tests/cli/tui_data.sh"
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
see_down '█ real 30 +▒ synthetic 30' "its legend: a character per series"
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

done_testing
