#!/bin/sh
# Relabelling in the interface through tmux, checked on the screen and in
# the store: r, s, x and the quick labels 1-9 on one document, the edit
# form (e), a document's history (H), tags (t, T, Ctrl-T) with the
# confirmation that counts them, undo (u) within a run and across restarts,
# all in the history provex label and provex undo use (reviewer from the
# configuration, else the login name).  Then the help generated from the
# key table, q backing out of every view, the command prompt (:save,
# :export, unknown commands), and the configuration's quick-labels,
# reviewer, keys and columns.
. "$top_srcdir/tests/tui/lib.sh"
export XDG_CONFIG_HOME="$T/cfg"
mkdir -p "$T/cfg/provex"
C=$T/cfg/provex/config.yaml
S=$T/s.pvx
tui_store "$S"
ok $? "a store of 60 documents"
me=$(id -un)

q() {	# q SQL: a query on the store
	sqlite3 "$S" "$1"
}
nbatches() {
	q 'SELECT count(*) FROM batches'
}
last_batch() {
	q 'SELECT max(id) FROM batches'
}

# ---- one document at a time ----

tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "the list"
tui_keys r
tui_see 'origin=real on document 1: already so, nothing changed' \
	"r on a real document: the status line says nothing changed"
is "$(nbatches)" 0 "and nothing is recorded"
tui_keys s
tui_see 'origin=synthetic on document 1: 1 changed \(batch 1; u undoes\)' \
	"s: the status line gives the change, its scope and its batch"
like "$(tui_row 1)" '^ +1 synth +news' "the row shows the new origin"
is "$(q 'SELECT origin FROM docs WHERE id=1')" synthetic "s set origin=synthetic in the store"
is "$(q 'SELECT batch_id, field, old, new, reviewer FROM history')" "1|origin|real|synthetic|$me" \
	"the change is in the history, reviewer the login name ($me)"
is "$(q 'SELECT id, reviewer, command, undoes IS NULL FROM batches')" "1|$me|provex browse|1" \
	"in a batch of its own"
tui_keys j r
tui_see 'origin=real on document 2: 1 changed \(batch 2' "r on a synthetic document"
like "$(tui_row 2)" '^ +2 real +forum' "its row"
tui_keys j x
tui_see 'origin=unknown on document 3: 1 changed \(batch 3' "x sets origin=unknown"
like "$(tui_row 3)" '^ +3 unkn +books' "its row shows the unknown badge"
is "$(q 'SELECT origin FROM docs WHERE id IN (2, 3) ORDER BY id' | tr '\n' ' ')" "real unknown " \
	"both in the store"

# quick labels (the defaults: 1 keep, 2 drop, 3 flag)
tui_keys j 1
tui_see 'label=keep on document 4: 1 changed \(batch 4' "1: label=keep"
like "$(tui_row 4)" '^ +4 synth .* keep +49 ' "the label column shows it"
tui_keys 2
tui_see 'label=drop on document 4: 1 changed \(batch 5' "2: label=drop"
tui_keys 3
tui_see 'label=flag on document 4: 1 changed \(batch 6' "3: label=flag"
is "$(q 'SELECT label FROM docs WHERE id=4')" flag "the store has the last label"
is "$(q "SELECT group_concat(coalesce(old, '-') || '>' || new, ' ') FROM history WHERE doc_id=4")" \
	"->keep keep>drop drop>flag" "and the history every step"
tui_keys 4
tui_see 'key 4 has no quick label' "4 has no quick label by default: the status line says so"
is "$(nbatches)" 6 "and nothing is recorded"

# undo
tui_keys u
tui_see 'undid batch 6: 1 change on 1 document reverted' "u undoes the last batch"
like "$(tui_row 4)" '^ +4 synth .* drop +49 ' "the row shows the label before"
is "$(q 'SELECT label FROM docs WHERE id=4')" drop "the store too"
is "$(q 'SELECT undoes, command FROM batches WHERE id=7')" "6|provex browse: undo" \
	"the undo is a batch of its own that names the batch undone"
tui_keys u
tui_see 'undid batch 5: 1 change on 1 document reverted' "u again undoes the batch before"
is "$(q 'SELECT label FROM docs WHERE id=4')" keep "label=keep again"

# the edit form
tui_keys g e
tui_see 'edit document 1' "e opens the form"
like "$SCREEN" 'source +news' "with the document's values"
tui_type 'train'
tui_keys Tab C-u
tui_type 'web'
tui_keys Tab
tui_type 'gen-1'
tui_keys Tab
tui_type 'checked by hand'
tui_keys Enter
tui_see 'purpose=train, source=web, generator=gen-1, note=checked by hand on document 1: 1 changed' \
	"Enter saves purpose, source, generator and note"
like "$(tui_row 1)" '^ +1 synth +web +gen-1 +train ' "the row shows them"
is "$(q 'SELECT purpose, source, generator, note FROM docs WHERE id=1')" \
	"train|web|gen-1|checked by hand" "the store has them"
is "$(q 'SELECT count(*) FROM history WHERE batch_id=9')" 4 "four changes in one batch (batch 9)"
tui_keys e
tui_see 'edit document 1' "e again"
tui_type 'xyz'
tui_keys Escape
tui_see 'edit cancelled: nothing changed' "Esc cancels the form"
is "$(q 'SELECT purpose FROM docs WHERE id=1')" train "and changes nothing"
tui_keys e Enter
tui_see 'nothing changed' "Enter without an edit changes nothing"
is "$(nbatches)" 9 "no batch for it"

# the history view
tui_keys H
tui_see 'history of document 1' "H shows the document's history"
like "$SCREEN" 'indexed.*origin real, source news' "what it was indexed with"
like "$SCREEN" "$me +origin +real -> synthetic +\\(batch 1\\)" "the origin change, its reviewer and batch"
like "$SCREEN" 'purpose +\(none\) -> train +\(batch 9' "the form's changes"
like "$SCREEN" 'note +\(none\) -> checked by hand' "the note"
tui_keys q
tui_see ' 1/60 *$' "q backs out of the history"

# ---- tags ----

tui_keys t
tui_see 'tagged document 1 \(1 tagged\)' "t tags the document"
tui_keys t t
tui_see 'tagged document 3 \(3 tagged\)' "t on the next ones (t moves down)"
like "$(tui_row 1)" '^\* +1 ' "tagged rows are marked"
like "$(tui_row 3)" '^\* +3 ' "all three"
tui_keys k t
tui_see 'untagged document 3 \(2 tagged\)' "t on a tagged document untags it"
like "$(tui_row 3)" '^ +3 ' "its mark goes"
tui_keys j
tui_see '\[2 tagged\]' "the status line counts the tags"
tui_keys 2
tui_see 'set label=drop on 2 tagged documents\? \(y/n\)' \
	"a relabel key with tags asks first, saying how many"
tui_keys n
tui_see 'cancelled: nothing changed' "n cancels"
is "$(nbatches)" 9 "and nothing is recorded"
is "$(q 'SELECT count(*) FROM docs WHERE label IS NOT NULL')" 1 "nothing changed in the store"
tui_keys 2
tui_see '\(y/n\)' "asked again"
tui_keys y
tui_see 'label=drop on 2 tagged documents: 2 changed \(batch 10' \
	"y applies to the tagged documents; the status line gives the scope"
is "$(q "SELECT id FROM docs WHERE label='drop' ORDER BY id" | tr '\n' ' ')" "1 2 " \
	"the tagged documents, and only they, have the label"
is "$(q 'SELECT count(*) FROM history WHERE batch_id=10')" 2 "in one batch"
like "$(tui_row 4)" '^ +4 synth .* keep ' "the untagged ones keep theirs"
tui_keys s y
tui_see 'origin=synthetic on 2 tagged documents: 1 changed' "s on the tags: one of two changed"
tui_keys u
tui_see 'undid batch 11: 1 change on 1 document reverted' "u undoes it"
tui_keys u
tui_see 'undid batch 10: 2 changes on 2 documents reverted' "and the label batch, both documents"
is "$(q "SELECT count(*) FROM docs WHERE label='drop'")" 0 "the store is as before"
tui_keys C-t
tui_see 'tags cleared' "Ctrl-T clears the tags"
unlike "$(tui_row 1)$(tui_row 2)" '^\*' "no row is marked"
tui_keys g x
tui_see 'origin=unknown on document 1: 1 changed' "without tags a relabel key acts on the document at once"
tui_keys u
tui_see 'undid batch' "undone"

# T: every document of the filter
n_news=$(pv count "$S" source:news)
tui_keys /
tui_type 'source:news'
tui_keys Enter
tui_see " 1/$n_news *\$" "a filter of $n_news documents"
tui_keys T
tui_see "tagged $n_news documents \\(the whole filter\\)" "T tags all of them"
tui_keys 1
tui_see "set label=keep on $n_news tagged documents\\? \\(y/n\\)" "1 asks, with the count"
tui_keys y
tui_see "label=keep on $n_news tagged documents: $n_news changed" "y labels them all"
is "$(q "SELECT count(*) FROM docs WHERE source='news' AND label='keep'")" "$n_news" \
	"every document of the filter has label=keep"
is "$(q "SELECT count(*) FROM docs WHERE source IS NOT 'news' AND label='keep'")" 1 \
	"and no other document changed (document 4 had it already)"
tui_keys / C-u Enter
tui_see ' 1/60 *$' "the filter cleared: the tags stay"
like "$(tui_row 1)" '^ +1 ' "document 1 (source web now) is not tagged"
like "$(tui_row 5)" '^\* +5 ' "document 5 (news) is"
tui_keys C-t

# the same history as provex label and provex undo
pv label "$S" id:59 --set purpose=eval > /dev/null 2>&1
is "$(q 'SELECT purpose FROM docs WHERE id=59')" eval "provex label changes the store while the interface is open"
b=$(last_batch)
tui_keys u
tui_see "undid batch $b: 1 change on 1 document reverted" "u in the interface undoes provex label's batch"
is "$(q 'SELECT purpose IS NULL FROM docs WHERE id=59')" 1 "purpose cleared again"
tui_keys G r
tui_see 'origin=real on document 60: 1 changed' "r on the last document"
b=$(last_batch)
pv undo "$S" > /dev/null 2>&1
is "$(q "SELECT count(*) FROM batches WHERE undoes=$b")" 1 "provex undo undoes the interface's batch"
is "$(q 'SELECT origin FROM docs WHERE id=60')" synthetic "document 60 is synthetic again"
tui_keys j
tui_see ' 60/60 *$' "the list"
tui_keys r
tui_see 'origin=real on document 60: 1 changed' "r again"
b=$(last_batch)
tui_quit
is "$TUI_RC" 0 "q quits with status 0"

# undo across a restart
tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "started again"
tui_keys u
tui_see "undid batch $b: 1 change on 1 document reverted" "u undoes the last batch of the run before"
is "$(q 'SELECT origin FROM docs WHERE id=60')" synthetic "in the store"
tui_quit

# ---- the reviewer and quick labels from the configuration ----

printf 'reviewer: carol\nquick-labels: {4: needs-review}\n' > "$C"
tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "with reviewer: and quick-labels: in config.yaml"
tui_keys 4
tui_see 'label=needs-review on document 1: 1 changed' "4: the configured quick label"
b=$(last_batch)
is "$(q "SELECT reviewer, command FROM batches WHERE id=$b")" "carol|provex browse" \
	"the batch's reviewer is the configured one"
is "$(q "SELECT field, new, reviewer FROM history WHERE batch_id=$b")" "label|needs-review|carol" \
	"and the history's"
tui_keys j 1
tui_see 'label=keep on document 2: 1 changed' "1 keeps its default"
tui_keys H
tui_see 'history of document 2' "the history view"
like "$SCREEN" 'carol +label +\(none\) -> keep' "names carol"
tui_keys q '?'
tui_see 'provex keys' "the help"
like "$SCREEN" '  4 +label needs-review' "the help shows the configured quick label"
like "$SCREEN" '  1 +label keep' "and the default ones"
tui_keys q
tui_quit

# ---- help, q, : ----

rm -f "$C"
tui_start 100 60 browse "$S"
tui_see ' 1/60 *$' "a tall pane, for the whole of the list's help"
tui_keys '?'
tui_see 'provex keys' "? opens the help"
like "$(tui_row 1)" '> keys in the list' "at the list's keys"
while IFS='|' read -r keys what; do
	like "$SCREEN" "^   $keys +$what" "the help: $keys $what"
done <<'EOF'
\?, F1|show this help
q|back out of a view; quit from the list
j, Down|move down
k, Up|move up
PgDn, Space|page down
PgUp, b|page up
g, Home|go to the top
G, End|go to the end
Enter|open the document
/|filter documents
:|command: save NAME, theme NAME, export FILE
F|pick a saved filter
o|cycle the sort column
O|reverse the sort
<|narrow the text column
>|widen the text column
r|set origin to real
s|set origin to synthetic
x|set origin to unknown
1|label keep
2|label drop
3|label flag
e|edit purpose, source, generator and note
H|show the document's history
t|tag or untag the document
T|tag every document matching the filter
C-t|clear all tags
u|undo the last change batch
c|compare side by side
C-l|redraw the screen
EOF
unlike "$SCREEN" 'Enter, Enter' "a key is named once (Enter and the keypad's Enter)"
unlike "$SCREEN" '^   4 +label' "an unset quick label is not listed"
like "$SCREEN" 'keys in the reader' "the reader's keys follow"
tui_keys G
tui_see 'the filter language' "G scrolls the help to its end"
unlike "$(tui_row 0)" 'keys in the list' "the first lines are scrolled off"
tui_keys g
tui_see 'keys in the list' "g back to its top"
tui_keys q
tui_see ' 1/60 *$' "q backs out of the help"
tui_keys Enter
tui_see '^#1 ' "Enter opens the reader"
tui_keys q
tui_see ' 1/60 *$' "q backs out of the reader"
tui_keys F
tui_see 'saved filters' "F opens the saved filters"
tui_keys q
tui_see ' 1/60 *$' "q backs out of it"

# the command prompt
tui_keys :
tui_see '^:' "':' opens the command prompt on the bottom row"
tui_keys Escape
tui_see 'cancelled' "Esc closes it"
tui_keys /
tui_type 'origin:real'
tui_keys Enter
n_real=$(pv count "$S" origin:real)
tui_see " 1/$n_real *\$" "a filter"
tui_keys :
tui_type 'save reals'
tui_keys Enter
tui_see "saved filter 'reals' = origin:real" ":save NAME"
is "$(q "SELECT filter FROM saved_filters WHERE name='reals'")" "origin:real" "the saved filter is in the store"
if :; then
	tui_keys :
	tui_type "export $T/out.jsonl"
	tui_keys Enter
	tui_see "exported to $T/out.jsonl" ":export FILE"
	is "$(wc -l < "$T/out.jsonl" | tr -d ' ')" "$n_real" ":export wrote the filter's $n_real documents"
	is "$(grep -c '"origin": *"real"' "$T/out.jsonl")" "$n_real" "all of them real"
	tui_keys / C-u Enter
	tui_see ' 1/60 *$' "no filter"
	tui_keys :
	tui_type "export $T/all.jsonl"
	tui_keys Enter
	tui_see "exported to $T/all.jsonl" ":export with no filter"
	is "$(wc -l < "$T/all.jsonl" | tr -d ' ')" 60 "wrote all 60 documents"
fi
tui_keys :
tui_type 'frobnicate'
tui_keys Enter
tui_see "unknown command 'frobnicate'" "an unknown command says so"
tui_keys :
tui_type 'save'
tui_keys Enter
tui_see ':save NAME saves' ":save without a name says how"
tui_keys q
tui_quit
is "$TUI_RC" 0 "q in the list quits with status 0"

# :quit
tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "the list"
tui_keys :
tui_type 'quit'
tui_keys Enter
tui_quit
is "$TUI_RC" 0 ":quit quits with status 0"

# ---- keys: and columns: from the configuration ----

printf 'keys: {quit: Q}\ncolumns: [id, label, origin, text]\n' > "$C"
tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "keys: {quit: Q} and columns: [id, label, origin, text]"
like "$(tui_row 0)" '^ +id. +label +origin +text *$' "the list has the configured columns"
like "$(tui_row 1)" '^ +1 needs-[a-z]* +synth +document 1 ' "in that order"
tui_keys '?'
tui_see 'provex keys' "the help"
like "$SCREEN" '^   Q +back out of a view' "shows Q for quit"
unlike "$SCREEN" '^   q +back out' "and not q"
tui_keys Q
tui_see ' 1/60 *$' "Q backs out of the help"
tui_keys q
tui_see 'q: no such key here' "q does nothing now"
tui_keys Q
tui_until tui_ended
tui_quit
is "$TUI_RC" 0 "Q quits with status 0"

# a key given to another action leaves the first one without it
printf 'keys: {tag: q}\n' > "$C"
tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "keys: {tag: q}"
like "$(tui_status)" 'config\.yaml:1:[0-9]+: q is now tag.s key: quit has no key left' \
	"the status line says quit has lost its key, with file:line:column"
tui_keys q
tui_see 'tagged document 1' "q tags"
tui_keys :
tui_type 'q'
tui_keys Enter
tui_quit
is "$TUI_RC" 0 ":q quits"

printf 'keys:\n  nosuch: z\n' > "$C"
tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "an unknown action under keys: provex starts"
like "$(tui_status)" "config\\.yaml:2:3: no action called 'nosuch'" "the status line has file:line:column"
tui_quit
printf 'keys:\n  quit: Ctrl-q\n' > "$C"
tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "a bad key name under keys: provex starts"
like "$(tui_status)" "config\\.yaml:2:[0-9]+: 'Ctrl-q' is not a key name" "the status line has file:line:column"
tui_keys q
tui_until tui_ended
tui_quit
is "$TUI_RC" 0 "q still quits (the bad line is ignored)"
rm -f "$C"

done_testing
