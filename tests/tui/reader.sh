#!/bin/sh
# The reader through tmux: opening a document from the list, its header,
# line numbers and wrapping, moving (keys and the wheel), the metadata
# panel, searching with n/N, unsafe bytes shown as placeholders the
# terminal never acts on (with their colour), wide characters, relabel
# keys acting on the document shown (checked in the store), the edit
# form, the history, undo, narrow panes, and a 100 MB document.
. "$top_srcdir/tests/tui/lib.sh"
export XDG_CONFIG_HOME="$T/cfg"
mkdir -p "$T/cfg/provex"
cat > "$T/cfg/provex/config.yaml" <<'YAML'
reviewer: tester
quick-labels:
  9: ninth
YAML
S=$T/s.pvx
tui_store "$S"
ok $? "a store of 60 documents"

# more documents: e61 a long paragraph, e62 CJK without spaces, e63
# fields kept from the input (one holding a newline and a tab)
python3 - "$T/more.jsonl" <<'PY'
import json, sys
out = open(sys.argv[1], "w")
words = " ".join("w%03d" % k for k in range(1, 121))
out.write(json.dumps({"id": "e61", "origin": "real", "source": "news",
                      "text": "start " + words + " finish"}) + "\n")
out.write(json.dumps({"id": "e62", "origin": "real", "source": "news",
                      "text": "\u6f22\u5b57" * 60 + "\n" + "\u3042" * 3 + "x" + "\U0001F600" * 70}) + "\n")
out.write(json.dumps({"id": "e63", "origin": "synthetic", "source": "forum",
                      "generator": "gpt-y", "title": "two\nlines\there", "score": 0.5,
                      "tags": ["a", "b"], "text": "metadata document"}) + "\n")
PY
pv index "$S" "$T/more.jsonl" --id-field id --origin-field origin --source-field source \
	--generator-field generator -q
ok $? "three more documents"

# the columns of text a row takes on screen (wide characters count 2)
cols() {
	python3 -c 'import sys, unicodedata
s = sys.argv[1]
print(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s))' "$1"
}

tui_start 100 30 browse "$S"
tui_see ' 1/63 *$' "the list opens"

# ---- opening, header, numbers ----
tui_keys j j j j j j j j Enter
tui_see 'line 1/200' "Enter opens the document under the cursor"
is "$(tui_row 0)" "#9 e9  real  source: news  generator: -  purpose: -" \
	"the header's first row: id, external id, origin, source, generator, purpose"
is "$(tui_row 1)" "label: -  3,305 bytes  history: 0 changes" \
	"its second row: label, size and history count"
like "$(tui_row 2)" '^   1 line 1 of nine$' "line numbers before the text"
like "$(tui_row 28)" '^  27 line 27 of nine$' "the text fills the screen to the status line"
like "$(tui_status)" '^document 9  \(q: back, m: metadata, /: search, \?: keys\) +line 1/200  1[0-9]%$' \
	"the status line: what keys do, the line shown and how much is seen"
like "$(tui_sgr_at 0 real)" 'fg=32 ' "the origin is drawn in its badge colour"

# ---- moving ----
tui_keys j;        tui_see 'line 2/200 ' "j scrolls down a line"
like "$(tui_row 2)" '^   2 line 2 of nine$' "the text moved up"
tui_keys k;        tui_see 'line 1/200 ' "k scrolls up"
tui_keys Down Down; tui_see 'line 3/200 ' "Down scrolls down"
tui_keys Up;       tui_see 'line 2/200 ' "Up scrolls up"
tui_keys k k;      tui_see 'line 1/200 ' "k at the top stays"
tui_keys PageDown; tui_see 'line 27/200 ' "PgDn pages down, keeping one line"
tui_keys Space;    tui_see 'line 53/200 ' "Space pages down"
tui_keys PageUp;   tui_see 'line 27/200 ' "PgUp pages up"
tui_keys b;        tui_see 'line 1/200 ' "b pages up"
tui_keys G;        tui_see 'line 174/200  100%' "G shows the last screen (100%)"
like "$(tui_row 28)" '^ 200 line 200 of nine$' "the last line is on the last row"
tui_keys j;        tui_see 'line 174/200  100%' "j at the end stays"
tui_keys PageDown; tui_see 'line 174/200  100%' "and so does PgDn"
tui_keys g;        tui_see 'line 1/200 ' "g goes to the top"
tui_keys End;      tui_see 'line 174/200 ' "End goes to the end"
tui_keys Home;     tui_see 'line 1/200 ' "Home goes to the top"
tui_type "$(printf '\033[Ma%%&')"           # wheel down at column 5, row 6
tui_see 'line 4/200 ' "the mouse wheel scrolls three lines down"
tui_type "$(printf '\033[M`%%&')"           # wheel up
tui_see 'line 1/200 ' "and up"

# ---- search ----
tui_keys /
tui_see '^search:' "/ opens the search prompt"
tui_type needle
tui_keys Enter
tui_see 'match at line 50 \(n: next, N: previous\)' "Enter jumps to the first match"
like "$(tui_row 2)" '^  50 line 50 of nine needle$' "the match's line is on top"
txt=$(tui_sgr_at 2 'line 50'); mt=$(tui_sgr_at 2 needle)
ok $([ "$mt" != "$txt" ] && [ "$mt" != absent ]; echo $?) \
	"the match is drawn in another colour than the text ($mt, text: $txt)"
tui_keys n;  tui_see 'match at line 150 ' "n goes to the next match"
like "$(tui_row 2)" '^ 150 line 150 of nine needle$' "its line on top"
tui_keys n;  tui_see 'match at line 50 \(from the top again\)' "n after the last match wraps to the first"
tui_keys N;  tui_see 'match at line 150 \(from the end again\)' "N before the first wraps to the last"
tui_keys N;  tui_see 'match at line 50 ' "N goes to the previous match"
tui_keys G N; tui_see 'match at line 150 ' "N from the end finds the match above"
tui_keys g n; tui_see 'match at line 50 ' "n from the top finds the first match"
tui_keys / ; tui_type 'LINE 120 of'; tui_keys Enter
tui_see 'match at line 120 ' "search ignores ASCII case"
tui_keys / ; tui_type zzz; tui_keys Enter
tui_see 'not found: zzz' "a search without matches says so"
tui_keys / Enter
tui_see 'search cleared' "an empty search clears it"
tui_keys n
tui_see 'no search: / searches' "n without a search says how to search"
tui_keys / ; tui_type needle; tui_keys Escape
tui_see 'cancelled' "Esc cancels the search prompt"
tui_keys q
tui_see ' 9/63 *$' "q goes back to the list, on the same row"

# ---- escape sequences, invalid bytes, wide characters ----
tui_keys k k Enter
tui_see '^#7 e7 ' "a document full of escape sequences opens"
is "$(tui_row 2)" '   1 escape ^[]0;PWNED^G title ^[[2J cleared ^[[31m red ^G bell' \
	"ESC and BEL are shown as placeholders"
like "$(tui_row 0)" '^#7 e7  real  source: books' "the header is still there: ESC[2J did not clear the screen"
like "$(tui_status)" 'line 1/1  100%' "and the status line too"
title=$(tx display-message -p -t pv '#{pane_title}')
unlike "$title" PWNED "the terminal's title was not changed (it is '$title')"
ph=$(tui_sgr_at 2 '^['); txt=$(tui_sgr_at 2 'escape')
ok $([ "$ph" != "$txt" ] && [ "$ph" != absent ]; echo $?) \
	"placeholders are drawn in another colour than the text ($ph, text: $txt)"
red=$(tui_sgr_at 2 ' red ')
is "$red" "$txt" "ESC[31m did not turn the text after it red"
tui_keys q j j j Enter
tui_see '^#10 e10 ' "a document with invalid UTF-8 and controls opens"
like "$(tui_row 2)" '^   1 bad \\xff\\xfe bytes \^A ctrl$' "invalid bytes are \\xNN, controls ^X"
ph=$(tui_sgr_at 2 '\xff'); txt=$(tui_sgr_at 2 'bytes')
ok $([ "$ph" != "$txt" ] && [ "$ph" != absent ]; echo $?) \
	"\\xff is drawn in the placeholder colour ($ph, text: $txt)"
tui_keys q k k Enter
tui_see '^#8 e8 ' "a document with wide characters opens"
like "$(tui_row 2)" '^   1 漢字テスト wide 😀 emoji end$' "CJK and emoji are shown as themselves"
tui_keys q

# wrapping: words, and wide characters that keep the columns
tui_keys G k k Enter
tui_see '^#61 e61 ' "a long paragraph opens"
like "$(tui_row 2)" '^   1 start w001 .* w018$' "it wraps at the last space that fits"
like "$(tui_row 3)" '^     w019 w020 ' "continuation rows have no line number"
bad=0
for r in 2 3 4 5 6; do
	[ "$(cols "$(tui_row $r)")" -le 100 ] || bad=1
done
ok $bad "no wrapped row is wider than the pane"
tui_keys q j Enter
tui_see '^#62 e62 ' "a document of wide characters without spaces opens"
bad=0
for r in 2 3 5; do
	c=$(cols "$(tui_row $r)")
	[ "$c" -le 100 ] && [ "$c" -ge 99 ] || { bad=1; echo "# row $r takes $c columns"; }
done
ok $bad "wide characters fill each wrapped row to its last column or one short"
is "$(cols "$(tui_row 4)")" 57 "the rest of the line: 120 characters of 2 columns make 2 x 47 + 26"
like "$(tui_row 3)" '^     [漢字]+$' "the continuation starts under the text, not the number"
like "$(tui_row 5)" '^   2 あああx😀+$' "the second line: emoji after an odd column"
like "$(tui_row 6)" '^     😀+$' "continued where the row was full"

# ---- the metadata panel ----
tui_keys q j Enter
tui_see '^#63 e63 ' "a document with fields of its own opens"
tui_keys m
tui_see 'metadata \(m hides\)' "m shows the metadata panel"
like "$SCREEN" '│ id +e63 *$' "the external id"
like "$SCREEN" '│ origin +synthetic *$' "the origin"
like "$SCREEN" '│ generator +gpt-y *$' "the generator"
like "$SCREEN" '│ file +/' "the file it was read from"
like "$SCREEN" '│ meta\.title +two\^Jlines here *$' "a field of the input, its newline a placeholder"
like "$SCREEN" '│ meta\.score +0\.5 *$' "a number field"
like "$SCREEN" '│ meta\.tags +\["a", ?"b"\] *$' "an array field"
like "$(tui_row 2)" '^   1 metadata document +│' "the text stays on the left"
tui_keys m
tui_see_gone 'metadata \(m hides\)' "m hides it"

# ---- relabel keys act on the document shown ----
tui_keys s
tui_see 'origin=synthetic on document 63: already so' "s on a synthetic document changes nothing"
tui_keys r
tui_see 'origin=real on document 63: 1 changed' "r sets origin real"
is "$(tui_db 'SELECT origin, reviewer FROM docs WHERE id=63')" "real|tester" \
	"the store has it, with the reviewer"
like "$(tui_row 0)" '^#63 e63  real ' "the header shows the new origin"
like "$(tui_row 1)" 'history: 1 change$' "and the history count"
tui_keys x
tui_see 'origin=unknown on document 63: 1 changed' "x sets origin unknown"
is "$(tui_db 'SELECT origin FROM docs WHERE id=63')" unknown "in the store"
tui_keys s
tui_see 'origin=synthetic on document 63: 1 changed' "s sets origin synthetic"
is "$(tui_db 'SELECT origin FROM docs WHERE id=63')" synthetic "in the store"
tui_keys 1;  tui_see 'label=keep on document 63' "1 sets the first quick label"
is "$(tui_db 'SELECT label FROM docs WHERE id=63')" keep "label keep in the store"
tui_keys 2;  tui_see 'label=drop on document 63' "2 the second"
is "$(tui_db 'SELECT label FROM docs WHERE id=63')" drop "label drop in the store"
tui_keys 3;  tui_see 'label=flag on document 63' "3 the third"
is "$(tui_db 'SELECT label FROM docs WHERE id=63')" flag "label flag in the store"
tui_keys 9;  tui_see 'label=ninth on document 63' "9 a quick label from the configuration"
is "$(tui_db 'SELECT label FROM docs WHERE id=63')" ninth "label ninth in the store"
like "$(tui_row 1)" '^label: ninth  17 bytes  history: 7 changes$' "the header follows"
tui_keys 5;  tui_see 'key 5 has no quick label' "an unbound quick label key says so"
is "$(tui_db 'SELECT label FROM docs WHERE id=63')" ninth "and changes nothing"
is "$(tui_db 'SELECT count(*) FROM docs WHERE label IS NOT NULL')" 1 "only the document shown was labelled"
tui_keys u
tui_see 'undid batch' "u undoes the last change"
is "$(tui_db 'SELECT label FROM docs WHERE id=63')" flag "the label is back in the store"
like "$(tui_row 1)" '^label: flag ' "and in the header"

# the edit form
tui_keys e
tui_see 'edit document 63' "e opens the edit form over the reader"
tui_type eval
tui_keys Tab C-u
tui_type 'web crawl'
tui_keys Tab Tab
tui_type 'checked by hand'
tui_keys Enter
tui_see 'on document 63: 1 changed' "Enter saves the form"
is "$(tui_db "SELECT purpose, source, note FROM docs WHERE id=63")" "eval|web crawl|checked by hand" \
	"purpose, source and note are in the store"
like "$(tui_row 0)" 'source: web crawl  generator: gpt-y  purpose: eval$' "the header shows them"
like "$(tui_row 1)" 'note: checked by hand' "and the note"
tui_keys e
tui_see 'edit document 63' "e again"
tui_type zzz
tui_keys Escape
tui_see 'edit cancelled: nothing changed' "Esc cancels the form"
is "$(tui_db "SELECT purpose FROM docs WHERE id=63")" eval "the store is unchanged"

# the history
tui_keys H
tui_see 'history of document 63' "H shows the document's history"
like "$SCREEN" 'tester +origin +synthetic -> real' "the first change, by the reviewer"
like "$SCREEN" 'label +ninth -> flag .*an undo' "the undo"
like "$SCREEN" 'purpose +\(none\) -> eval' "the form's changes"
tui_keys q
tui_see '^#63 e63 ' "q goes back to the reader"
tui_keys '?'
tui_see '^ > keys in the reader' "? shows the keys, from the reader's"
like "$SCREEN" 'm +show or hide the metadata panel' "the reader's keys are listed"
tui_keys q
tui_see '^#63 e63 ' "q goes back to the reader"

# c opens the compare view from the reader
tui_keys c
tui_see '^compare with \(filter\): origin:real' "c asks what to compare with (the other origin)"
tui_keys Enter
tui_see 'compare document 63 with' "a picker of documents"
tui_keys Enter
tui_see 'compare #63 \| #1 ' "the compare view opens over the reader"
tui_keys q
tui_see '^#63 e63 ' "q goes back to the reader"
tui_keys q
tui_see ' 63/63 *$' "and q again to the list"
tui_quit
is "$TUI_RC" 0 "provex ends with status 0"

# ---- a narrow pane ----
tui_start 40 10 browse "$S"
tui_see ' 1/63 *$' "a 40x10 pane"
tui_keys j j j j j j j Enter
tui_see '^#8 e8 ' "the reader"
is "$(tui_row 0)" "#8 e8  synthetic  source: forum" "the header flows onto more rows"
is "$(tui_row 1)" "generator: gpt-x  purpose: -" "nothing of it is lost"
is "$(tui_row 2)" "label: -  35 bytes  history: 0 changes" "label, size and history"
like "$(tui_row 3)" '^   1 漢字テスト wide 😀 emoji end$' "the text"
like "$(tui_status)" '^#8  q: back  \?: keys +line 1/1  100%$' "a short status line"
tui_keys m
tui_see 'metadata 1/[0-9]+ \(j/k scroll, m hides\)' "the metadata panel covers the text"
like "$(tui_row 1)" '^ document +8 *$' "from the first field"
tui_keys G
tui_see '^ run +1 *$' "G scrolls it to the last field"
tui_keys g
tui_see 'metadata 1/' "g back to the first"
tui_keys m
tui_see '^   1 漢字' "m shows the text again"
tui_keys r
tui_see 'origin=real on doc' "r in a narrow reader"
is "$(tui_db 'SELECT origin FROM docs WHERE id=8')" real "in the store"
tui_keys H
tui_see 'history of document 8' "H"
like "$SCREEN" ' synthetic -> real ' "a history line too long for the pane goes on below"
tui_keys q e
tui_see '^ edit document 8' "the edit form fits"
tui_type 'a purpose too long for this pane: its end shows'
tui_see '^ purpose +.* its end shows$' "a long value shows its end, where typing goes"
like "$(tui_status)" '^Tab: field  Enter: save  Esc: cancel' "the keys on the status line"
tui_keys Escape
tui_see 'edit cancelled' "Esc"
tui_quit
is "$TUI_RC" 0 "provex ends with status 0"

# ---- a 100 MB document ----
if [ -n "${PROVEX_VALGRIND:-}" ]; then
	skip "a 100 MB document (too slow under valgrind)"
else
	python3 - "$T/big.jsonl" <<'PY'
import json, sys
chunk = "lorem ipsum dolor sit amet " * 40
lines, size, i = ["FIRSTLINE of the big document"], 0, 1
while size < 100 * 1024 * 1024:
    s = ("BIGLINE %d " % i + chunk * 50) if i % 500 == 0 else ("row %d " % i + chunk)
    lines.append(s)
    size += len(s) + 1
    i += 1
lines.append("LASTLINE of the big document")
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"id": "big", "origin": "real", "text": "\n".join(lines)}) + "\n")
PY
	B=$T/big.pvx
	pv index "$B" "$T/big.jsonl" --id-field id --origin-field origin -q
	tui_start 100 30 browse "$B"
	tui_see ' 1/1 *$' "a store with a 100 MB document"
	t0=$(date +%s)
	tui_keys Enter
	tui_see '^ +1 FIRSTLINE of the big document' "it opens at once"
	like "$(tui_row 1)" '104,[0-9]{3},[0-9]{3} bytes' "the header gives its size"
	like "$(tui_status)" 'line 1/87,?[0-9]{3} ' "the status line knows its last line"
	tui_keys G
	tui_see 'LASTLINE of the big document' "G shows its last line"
	like "$(tui_status)" '100%$' "at 100%"
	last=$(tui_status | sed 's/.*line \([0-9]*\)\/.*/\1/')
	tui_keys PageUp
	tui_see_gone "line $last/" "PgUp moves up from the end"
	tui_capture
	unlike "$SCREEN" LASTLINE "the last line is off the screen"
	tui_keys k
	tui_see 'line [0-9]+/' "k moves up a line"
	tui_keys / ; tui_type 'BIGLINE 87000 '; tui_keys Enter
	tui_see 'match at line 87001 ' "search finds a line near the end"
	tui_keys g
	tui_see '^ +1 FIRSTLINE' "g goes back to the top"
	t1=$(date +%s)
	ok $([ $((t1 - t0)) -lt 5 ]; echo $?) "all of it took $((t1 - t0)) s (under 5)"
	tui_quit
	is "$TUI_RC" 0 "provex ends with status 0"
fi

done_testing
