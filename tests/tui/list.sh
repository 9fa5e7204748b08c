#!/bin/sh
# The list view through tmux: columns, moving (keys and mouse), sorting,
# the text column's width, filtering with a live count, parse errors,
# history, completion, saved filters, and the status line.
. "$top_srcdir/tests/tui/lib.sh"
export XDG_CONFIG_HOME="$T/cfg"
S=$T/s.pvx
tui_store "$S"
ok $? "a store of 60 documents"

tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "the list opens at the first of 60 documents"
like "$(tui_row 0)" '^ +id. +origin +source +generator +purpose +label +size +text' \
	"column headers fit a 100-column pane"
like "$(tui_row 1)" '^ +1 real +news .* 49 document 1 talks about' \
	"a row: id, origin badge, source, size and the first line of text"
like "$(tui_row 2)" '^ +2 synth +forum +gpt-x .*document 2' "a synthetic row with its generator"
like "$(tui_status)" "s\\.pvx" "the status line names the store"
like "$(tui_row 7)" 'escape \^\[\]0;PWNED\^G title \^\[\[2J' \
	"escape sequences in a row are shown as placeholders"
like "$(tui_row 10)" 'bad \\xff\\xfe bytes \^A ctrl' "invalid bytes and controls in a row are placeholders"
like "$(tui_row 8)" "^ +8 synth +forum +gpt-x .*漢字テスト wide 😀 emoji end" \
	"wide characters in a row"

tui_keys j j;       tui_see ' 3/60 *$' "j moves down"
tui_keys k;         tui_see ' 2/60 *$' "k moves up"
tui_keys Down Down; tui_see ' 4/60 *$' "Down moves down"
tui_keys Up;        tui_see ' 3/60 *$' "Up moves up"
tui_keys G;         tui_see ' 60/60 *$' "G jumps to the end"
like "$(tui_row 28)" '^ +60 synth' "the last document is on the last row"
tui_keys g;         tui_see ' 1/60 *$' "g jumps to the top"
tui_keys End;       tui_see ' 60/60 *$' "End jumps to the end"
tui_keys Home;      tui_see ' 1/60 *$' "Home jumps to the top"
tui_keys PageDown;  tui_see ' 28/60 *$' "PgDn pages down (28 rows, one kept)"
like "$(tui_row 1)" '^ +28 ' "the page starts with the row that was last"
tui_keys Space;     tui_see ' 60/60 *$' "Space pages down, to a full last page"
tui_keys PageUp;    tui_see ' 33/60 *$' "PgUp pages up"
tui_keys PageUp;    tui_see ' 28/60 *$' "PgUp again reaches the top page"
tui_keys PageUp;    tui_see ' 1/60 *$' "and then the first row"
tui_keys k;         tui_see ' 1/60 *$' "k at the top stays"
tui_keys G j;       tui_see ' 60/60 *$' "j at the end stays"
tui_keys g

# the mouse: wheel and click (xterm mouse reports, as a terminal sends them)
tui_type "$(printf '\033[Ma%%%%')"          # wheel down at column 5, row 5
tui_see ' 4/60 *$' "the mouse wheel scrolls down"
tui_type "$(printf '\033[M`%%%%')"          # wheel up
tui_see ' 1/60 *$' "and up"
tui_type "$(printf '\033[M (&\033[M#(&')"   # press and release on row 5
tui_see ' 5/60 *$' "a click moves the cursor to the row clicked"
tui_keys g

# sorting
tui_keys o
tui_see 'sorted by len' "o cycles the sort column"
like "$(tui_row 0)" 'size↑' "the sort column is marked in the header"
like "$(tui_row 1)" '^ +10 synth' "the shortest document comes first"
tui_keys O
tui_see 'descending' "O reverses the sort"
like "$(tui_row 0)" 'size↓' "the header marks the direction"
like "$(tui_row 1)" '^ +9 real' "the longest document comes first"
tui_keys o o o o o o o o
tui_see 'sorted by id' "o comes back to id"

# the text column (each step waits for the header to change)
header_changed() { [ "$(tui_row 0)" != "$_old" ]; }
header_changes() {	# header_changes KEY...: types the keys, waits for row 0 to change
	_old=$(tui_row 0)
	tui_keys "$@"
	tui_until header_changed
	tui_settle
}
tui_settle
g0=$(tui_row 0 | awk '{print index($0, "generator")}')
header_changes '<' '<'
g1=$(tui_row 0 | awk '{print index($0, "generator")}')
ok $([ "$g1" -gt "$g0" ]; echo $?) "< narrows the text column (the others widen: generator at $g0, then $g1)"
header_changes '>' '>' '>' '>'
g2=$(tui_row 0 | awk '{print index($0, "generator")}')
ok $([ "$g2" -lt "$g0" ]; echo $?) "> widens it (generator at $g2)"
tui_keys '<' '<'

# filtering: live count, apply, cancel, errors
tui_keys /
tui_type 'origin:synthetic'
tui_see '^30 matching documents' "the filter prompt previews the count while typing"
tui_keys Enter
tui_see ' 1/30 *$' "Enter applies the filter"
like "$SCREEN" 'filter applied|filter: origin:synthetic' "the status line confirms it"
like "$(tui_row 1)" '^ +2 synth' "only synthetic documents are listed"
tui_keys j
tui_see 's\.pvx +filter: origin:synthetic +2/30 *$' "the status line shows the store, the filter and the position"
tui_keys / C-u
tui_type 'len:>abc'
tui_see '\^ ' "a parse error shows a caret"
like "$(tui_row 28)" '^/len:>abc' "under the prompt"
like "$(tui_row 29)" '^      \^ .*number' "the caret is under the bad value and says what was expected"
tui_keys Escape
tui_see 'cancelled +2/30 *$' "Esc cancels: the filter is unchanged"
tui_keys j k
tui_see 'filter: origin:synthetic +2/30' "and still shown on the status line"
tui_keys / C-u
tui_type 'words "a phrase'
tui_see '\^ .*(quote|")' "an unbalanced quote is an error"
tui_keys Escape

# history (kept in the store) and completion
tui_keys / C-u
tui_type 'source:news'
tui_keys Enter
tui_see ' 1/15 *$' "a second filter"
tui_keys / C-u Up
tui_see '^/source:news' "Up recalls the last filter"
tui_keys Up
tui_see '^/origin:synthetic' "Up again the one before"
tui_keys Down
tui_see '^/source:news' "Down comes back"
tui_keys C-u
tui_type 'gen'
tui_keys Tab
tui_see '^/generator:' "Tab completes a field name"
tui_type 'gp'
tui_keys Tab
tui_see '^/generator:gpt-x' "Tab completes a value from the store"
tui_keys C-u
tui_type 'source:'
tui_keys Tab
tui_see 'books +forum +news' "Tab lists the values when there are several"
tui_keys Escape

# saved filters
tui_keys : C-u
tui_type 'save newsonly'
tui_keys Enter
tui_see "saved filter 'newsonly'" ":save NAME saves the active filter"
tui_keys / C-u Enter
tui_see ' 1/60 *$' "an empty filter shows everything"
tui_keys F
tui_see 'newsonly +15 +source:news' "F lists saved filters with their counts"
tui_keys Enter
tui_see ' 1/15 *$' "Enter in the picker applies the saved filter"
tui_quit
is "$TUI_RC" 0 "q quits with status 0"

# the history survives a restart; a filter can be given on the command line
tui_start 100 30 browse "$S" 'origin:real'
tui_see ' 1/30 *$' "browse STORE FILTER opens filtered"
tui_keys / Up
tui_see '^/source:news' "the filter history is kept in the store"
tui_keys Escape
tui_quit
is "$(sqlite3 "$S" "SELECT count(*) FROM saved_filters WHERE name='newsonly'")" 1 \
	"the saved filter is in the store"

tui_start 100 30 "$S"
tui_see ' 1/60 *$' "provex STORE opens the interface too"
tui_quit

done_testing
