#!/bin/sh
# The compare view through tmux: what the right pane holds (its pair,
# else another tagged document, else one picked from a filter), the two
# provenance headers, Tab (and a click) switching the focused pane,
# synchronised scrolling and =, the word diff (d) with its colours,
# search, [ and ] stepping through the filter (the right pane following
# pairs), relabel keys, the edit form and the history acting on the
# focused pane (checked in the store), escape sequences, wide characters
# keeping the panes aligned, and a narrow pane.
. "$top_srcdir/tests/tui/lib.sh"
export XDG_CONFIG_HOME="$T/cfg"
mkdir -p "$T/cfg/provex"
printf 'reviewer: tester\n' > "$T/cfg/provex/config.yaml"
S=$T/s.pvx
tui_store "$S"
ok $? "a store of 60 documents"

# e61: 300 numbered lines (needle on 120 and 250); e62: wide characters
python3 - "$T/more.jsonl" <<'PY'
import json, sys
out = open(sys.argv[1], "w")
out.write(json.dumps({"id": "e61", "origin": "synthetic", "source": "news", "generator": "gpt-z",
    "text": "\n".join("row %d of three%s" % (k, " needle" if k in (120, 250) else "")
                      for k in range(1, 301))}) + "\n")
out.write(json.dumps({"id": "e62", "origin": "real", "source": "news",
    "text": ("\u6f22\u5b57\u30c6\u30b9\u30c8" * 30 + "\n" + "a\U0001F600" * 40 + "\n") * 5}) + "\n")
PY
pv index "$S" "$T/more.jsonl" --id-field id --origin-field origin --source-field source \
	--generator-field generator -q
ok $? "two more documents"

# pairs, as provex index --pair-field and provex pairs record them
sqlite3 "$S" "INSERT INTO pairs(a, b, kind, sim) VALUES (22, 23, 'declared', NULL), \
	(24, 27, 'found', 0.8)"
ok $? "two pairs: 22 with 23, 24 with 27"

# the left and right panes of row N (split at the separator)
left() { tui_row "$1" | sed 's/│.*//'; }
right() { tui_row "$1" | sed 's/^[^│]*│//'; }
# the columns before the separator in each row 0..N, one line
sep_cols() {
	printf '%s\n' "$SCREEN" | head -n "$1" | python3 -c 'import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
print(" ".join(str(w(l.split("\u2502")[0])) if "\u2502" in l else "none" for l in sys.stdin.read().splitlines()))'
}

tui_start 100 30 browse "$S"
tui_see ' 1/62 *$' "the list opens"

# ---- the right pane: a picker when nothing is tagged ----
tui_keys c
tui_see '^compare with \(filter\): origin:synthetic' \
	"c without tags asks for a filter, offering the other origin"
tui_keys C-u
tui_type 'origin:real'
tui_keys Enter
tui_see 'compare document 1 with: pick one' "Enter lists the documents matching it"
like "$(tui_row 1)" '^ +3 real +books +document 3 talks' "the document compared is not offered"
tui_keys q
tui_see ' 1/62 *$' "q leaves the picker"
tui_keys c C-u
tui_type zzzqqq
tui_keys Enter
tui_see 'no other document matches' "a filter matching nothing says so"
tui_keys c Enter
tui_see 'compare document 1 with' "the picker of synthetic documents"
like "$(tui_row 1)" '^ +2 synth +forum +document 2 talks' "its first row"
tui_keys j Enter
tui_see '^#1 e1 .*│#4 e4 ' "Enter opens the compare view with the document picked"
is "$(left 0)" "#1 e1  real  source: news  generator: -          " "the left header"
is "$(right 0)" "#4 e4  synthetic  source: forum  generator: gpt-x" "the right header"
like "$(left 1)$(right 1)" '^purpose: - +purpose: - *$' "the headers flow onto a second row"
like "$(left 2)" '^label: -  49 bytes  history: 0 changes' "label, size and history on the left"
like "$(right 2)" '^label: -  49 bytes  history: 0 changes' "and on the right"
like "$(left 3)" '^   1 document 1 talks about apples' "the left text"
like "$(right 3)" '^   1 document 4 talks about apples' "the right text"
like "$(tui_status)" '^compare #1 \| #4  focus: left  synced  \(Tab, =, d, \[ \], q\) +line 1/1  100%$' \
	"the status line: the documents, the focus, synchronised scrolling"
like "$(tui_sgr_at 0 '#1')" 'fg=30 bg=46' "the focused pane's id is marked"
unlike "$(tui_sgr_at 0 '#4')" 'bg=46' "the other's is not"

# ---- the word diff ----
tui_keys d
tui_see 'word diff: shared words dimmed' "d turns the word diff on"
shared=$(tui_sgr_at 3 talks); lonly=$(tui_sgr_at 3 1 4); ronly=$(tui_sgr_at 3 4 55); plain=$(tui_sgr_at 3 ' talks')
ok $([ "$shared" != "$plain" ] && [ "$shared" != absent ]; echo $?) \
	"shared words have their own look ($shared; spaces: $plain)"
ok $([ "$lonly" != "$shared" ] && [ "$lonly" != "$plain" ] && [ "$lonly" != absent ]; echo $?) \
	"a word only on the left is highlighted ($lonly)"
ok $([ "$ronly" != "$shared" ] && [ "$ronly" != "$lonly" ] && [ "$ronly" != absent ]; echo $?) \
	"a word only on the right is highlighted in another colour ($ronly)"
is "$(tui_sgr_at 3 apples)" "$shared" "apples is in both"
tui_keys Tab Tab
tui_see 'focus: left' "(the focus goes round)"
tui_keys j
tui_wait_gone 'focus: left pane'; tui_settle
like "$(tui_status)" 'synced  word diff' "the status line says the diff is on"
tui_keys d
tui_see 'word diff off' "d again turns it off"
is "$(tui_sgr_at 3 talks)" "$(tui_sgr_at 3 1 4)" "the words look the same again"
tui_keys q
tui_see ' 1/62 *$' "q goes back to the list"

# ---- another tagged document ----
tui_keys j j t
tui_see 'tagged document 3' "a tagged document"
tui_keys g c
tui_see 'comparing with tagged document 3' "c compares with the tagged document, without asking"
like "$(left 0)$(right 0)" '^#1 e1 .*#3 e3 ' "1 against 3"
tui_keys d
tui_see 'word diff:' "word diff"
ok $([ "$(tui_sgr_at 3 apples)" != "$(tui_sgr_at 3 talks)" ]; echo $?) "apples is only on the left now"
ok $([ "$(tui_sgr_at 3 pears)" != "$(tui_sgr_at 3 talks)" ]; echo $?) "pears only on the right"

# ---- focus and relabel keys on the focused pane ----
tui_keys Tab
tui_see 'focus: right pane \(#3\)' "Tab moves the focus to the right pane"
like "$(tui_sgr_at 0 '#3')" 'fg=30 bg=46' "the right pane's id is marked now"
unlike "$(tui_sgr_at 0 '#1')" 'bg=46' "and not the left one's"
tui_keys s
tui_see 'origin=synthetic on document 3: 1 changed' "s relabels the focused (right) document"
is "$(tui_db 'SELECT id, origin FROM docs WHERE id IN (1, 3) ORDER BY id')" "1|real
3|synthetic" "in the store: only document 3 changed"
like "$(right 0)" '^#3 e3  synthetic ' "the right header shows it"
like "$(right 2)" 'history: 1 change$' "and its history count"
tui_keys 2
tui_see 'label=drop on document 3' "a quick label on the focused document"
is "$(tui_db 'SELECT label FROM docs WHERE id=3')" drop "in the store"
tui_keys Tab
tui_see 'focus: left pane \(#1\)' "Tab again: the left pane"
tui_keys x
tui_see 'origin=unknown on document 1' "x relabels the left document"
tui_keys 1
tui_see 'label=keep on document 1' "1 too"
is "$(tui_db 'SELECT id, origin, label FROM docs WHERE id IN (1, 3) ORDER BY id')" "1|unknown|keep
3|synthetic|drop" "in the store"
tui_keys r
tui_see 'origin=real on document 1' "r relabels the left document"
is "$(tui_db 'SELECT origin FROM docs WHERE id=1')" real "in the store"
tui_keys u
tui_see 'undid batch' "u undoes the last change"
is "$(tui_db 'SELECT origin FROM docs WHERE id=1')" unknown "in the store"
tui_keys Tab e
tui_see 'edit document 3' "e edits the focused document"
tui_type 'test set'
tui_keys Enter
tui_see 'purpose=test set on document 3: 1 changed' "the form saves"
is "$(tui_db 'SELECT purpose FROM docs WHERE id=3')" "test set" "in the store"
like "$(right 0)$(right 1)" 'purpose: test set' "the right header shows it"
tui_keys H
tui_see 'history of document 3' "H shows the focused document's history"
like "$SCREEN" 'tester +origin +real -> synthetic' "its changes"
like "$SCREEN" 'purpose +\(none\) -> test set' "the form's change"
tui_keys q
tui_see '^#1 e1 .*│#3 e3 ' "q goes back to the compare view"
tui_keys '?'
tui_see '^ > keys in the compare view' "? shows the keys, from the compare view's"
like "$SCREEN" 'Tab +switch the focused pane' "Tab is listed"
tui_keys q
tui_see '^#1 e1 .*│#3 e3 ' "q goes back"
tui_type "$(printf '\033[M *%%\033[M#*%%')"     # click at column 10, row 5
tui_see 'focus: left' "a click in the left pane focuses it"
tui_type "$(printf '\033[M f%%\033[M#f%%')"     # click at column 70
tui_see 'focus: right' "a click in the right pane focuses it"
tui_keys q C-t
tui_see 'tags cleared' "the tags are cleared"

# ---- scrolling, synchronised or not ----
tui_keys / C-u
tui_type 'source:news'
tui_keys Enter
tui_see ' 1/17 *$' "a filter: source:news"
tui_keys j j c C-u
tui_type 'id:62 OR id:61'
tui_keys Enter
tui_see 'compare document 9 with' "the picker"
tui_keys Enter
tui_see '^#9 e9 .*│#61 e61 ' "200 lines against 300"
like "$(left 3)$(right 3)" '^   1 line 1 of nine +   1 row 1 of three$' "both at their first line"
tui_keys j
tui_see 'line 2/200 ' "j scrolls"
like "$(left 3)$(right 3)" '^   2 line 2 of nine +   2 row 2 of three$' "both panes together"
tui_keys Down Down k
tui_see 'line 3/200 ' "Down and k too"
like "$(right 3)" '^   3 row 3 of three$' "the right pane follows"
tui_keys PageDown
tui_see 'line 28/200 ' "PgDn pages both"
like "$(right 3)" '^  28 row 28 of three$' "the right pane too"
tui_keys PageUp
tui_see 'line 3/200 ' "PgUp"
like "$(right 3)" '^   3 row 3 of three$' "both"
tui_keys G
tui_see 'line 175/200  100%' "G: both to their ends"
like "$(right 3)" '^ 275 row 275 of three$' "the right pane at its own end"
tui_keys g
tui_see 'line 1/200 ' "g: both to the top"
like "$(right 3)" '^   1 row 1 of three$' "the right pane too"
tui_keys Space
tui_see 'line 26/200 ' "Space pages both"
like "$(right 3)" '^  26 row 26 of three$' "the right pane too"
tui_keys b
tui_see 'line 1/200 ' "b pages back"
tui_keys End
tui_see 'line 175/200  100%' "End: both to their ends"
like "$(right 3)" '^ 275 row 275 of three$' "the right pane too"
tui_keys Home
tui_see 'line 1/200 ' "Home: both to the top"
like "$(right 3)" '^   1 row 1 of three$' "the right pane too"
tui_keys =
tui_see 'synchronised scrolling off' "= turns synchronised scrolling off"
tui_keys j j
tui_see 'line 3/200 ' "j scrolls the focused pane"
like "$(right 3)" '^   1 row 1 of three$' "alone"
like "$(tui_status)" 'focus: left  \(' "the status line no longer says synced"
tui_keys Tab PageDown
tui_see 'line 26/300 ' "the right pane scrolls alone when focused"
like "$(left 3)" '^   3 line 3 of nine' "the left stays"
tui_keys G
tui_see 'line 275/300  100%' "G moves the focused pane only"
like "$(left 3)" '^   3 line 3 of nine' "the left stays"
tui_keys g
tui_see 'line 1/300 ' "and g"
tui_keys =
tui_see 'synchronised scrolling on' "= turns it on again"
tui_type "$(printf '\033[Ma*%%')"               # wheel down
tui_see 'line 4/300 ' "the wheel scrolls both"
like "$(left 3)" '^   6 line 6 of nine' "from where each was"
tui_type "$(printf '\033[M`*%%')"               # wheel up
tui_see 'line 1/300 ' "and back"

# ---- search ----
tui_keys /
tui_see '^search:' "/ searches"
tui_type needle
tui_keys Enter
tui_see 'match at line 120 ' "the focused pane goes to its first match"
like "$(right 3)" '^ 120 row 120 of three needle$' "its line on top"
tui_keys n
tui_see 'match at line 250 ' "n: the next match"
tui_keys N
tui_see 'match at line 120 ' "N: the previous one"
ok $([ "$(tui_sgr_at 3 needle 50)" != "$(tui_sgr_at 3 row 50)" ]; echo $?) "matches are highlighted"
tui_keys Tab n
tui_see 'match at line 50 ' "n in the other pane: the search is there too"
ok $([ "$(tui_sgr_at 3 needle)" != "$(tui_sgr_at 3 line)" ]; echo $?) "highlighted there too"
tui_keys q

# ---- [ and ] step through the filter ----
tui_see ' 3/17 *$' "the list, on document 9"
tui_keys j c C-u
tui_type 'id:17'
tui_keys Enter
tui_see 'compare document 13 with' "the picker"
tui_keys Enter
tui_see '^#13 e13 .*│#17 e17 ' "13 against 17"
tui_keys ]
tui_see '^#21 e21 .*│#17 e17 ' "] steps the left pane to the next document of the filter, past the right one"
like "$(left 3)" '^   1 document 21 talks' "its text"
tui_keys ]
tui_see '^#25 e25 .*│#17 e17 ' "] again"
tui_keys '['
tui_see '^#21 e21 .*│#17 e17 ' "[ steps back"
tui_keys '['
tui_see '^#13 e13 .*│#17 e17 ' "[ passes over the right one too"
tui_keys '[' '[' '['
tui_see '^#1 e1 .*│#17 e17 ' "back to document 1"
tui_keys '['
tui_see 'the first document of the filter' "[ on the first says so"
like "$(left 0)" '^#1 e1 ' "the left pane stays"
tui_keys ] ] ] ] ] ] ] ] ] ] ] ] ] ] ] ]
tui_see 'the last document of the filter' "] on the last says so"
like "$(left 0)" '^#62 e62 ' "the last document of the filter is on the left"
tui_keys q
tui_see ' 17/17 *$' "the list's cursor followed"
tui_keys / C-u Enter
tui_see ' 1/62 *$' "no filter"

# ---- escape sequences and wide characters ----
tui_keys j j j j j j t g j j j j j j j c
tui_see 'comparing with tagged document 7' "CJK against escape sequences"
like "$(left 0)" '^#8 e8 ' "8 on the left"
like "$(right 3)" '^   1 escape \^\[\]0;PWNED\^G title \^\[\[2J' "the escapes are placeholders"
like "$(tui_row 0)" '^#8 e8  synthetic' "the screen was not cleared"
title=$(tx display-message -p -t pv '#{pane_title}')
unlike "$title" PWNED "the terminal's title was not changed (it is '$title')"
like "$(left 3)" '^   1 漢字テスト wide 😀 emoji end' "wide characters on the left"
is "$(sep_cols 29)" "$(printf '49 %.0s' $(seq 29) | sed 's/ $//')" \
	"the separator is in column 49 on every row"
tui_keys q C-t
tui_keys G k c
tui_see 'compare with' "the picker"
tui_keys C-u
tui_type 'id:1'
tui_keys Enter Enter
tui_see '^#61 e61 .*│#1 e1 ' "a pair"
tui_keys q j c C-u
tui_type 'id:9'
tui_keys Enter Enter
tui_see '^#62 e62 .*│#9 e9 ' "wide characters on every row against numbered lines"
is "$(sep_cols 29)" "$(printf '49 %.0s' $(seq 29) | sed 's/ $//')" \
	"the separator stays in column 49 on every row"
like "$(left 4)" '^     [漢字テスト]+ *$' "a wrapped row of wide characters"
tui_keys PageDown
tui_see_gone 'line 1/10 ' "scrolled"
is "$(sep_cols 29)" "$(printf '49 %.0s' $(seq 29) | sed 's/ $//')" "still, after scrolling"
tui_keys q

# ---- pairs ----
tui_keys / C-u
tui_type 'source:books'
tui_keys Enter
tui_see ' 1/15 *$' "a filter: source:books"
tui_keys j j j j j c
tui_see 'comparing with document 22, its pair' "c on a paired document compares it with its pair"
like "$(tui_row 0)" '^#23 e23 .*│#22 e22 ' "23 against 22, without asking"
tui_keys ]
tui_see 'document 27, next of the filter, paired with 24' "] steps to the next document"
like "$(tui_row 0)" '^#27 e27 .*│#24 e24 ' "and the right pane to its pair"
tui_keys ]
tui_see 'document 31, next of the filter$|document 31, next of the filter ' "] to a document without a pair"
like "$(tui_row 0)" '^#31 e31 .*│#24 e24 ' "the right pane stays"
tui_keys '[' '['
tui_see 'document 23, previous of the filter, paired with 22' "[ back to 23"
like "$(tui_row 0)" '^#23 e23 .*│#22 e22 ' "its pair on the right again"
tui_quit
is "$TUI_RC" 0 "provex ends with status 0"

# ---- a narrow pane ----
tui_start 40 10 browse "$S"
tui_see ' 1/62 *$' "a 40x10 pane"
tui_keys j j t g c
tui_see '^#1 e1  [a-z]+ +│#3 e3  [a-z]+ *$' "both headers"
is "$(sep_cols 9)" "19 19 19 19 19 19 19 19 19" "the separator in column 19 on every row"
like "$(tui_status)" '^comparing with tagged doc' "the message fits"
tui_keys Tab j
tui_see '^#1 \| #3  right sync +line 1/1  100%$' "a short status line"
tui_keys d
tui_see 'word diff' "d"
tui_keys r
tui_see 'origin=real on doc' "r on the focused pane"
is "$(tui_db 'SELECT origin FROM docs WHERE id IN (1, 3) ORDER BY id')" "unknown
real" "in the store: the right one changed"
tui_quit
is "$TUI_RC" 0 "provex ends with status 0"

done_testing
