#!/bin/sh
# provex demo: a store built from this machine's documentation, with
# synthetic documents linked to their seeds.
. "$top_srcdir/tests/cli/lib.sh"

out=$(pv demo --dir "$T/d" 2>"$T/err")
ok $? "provex demo succeeds"
like "$(cat "$T/err")" "wrote [0-9]+ real and [0-9]+ synthetic documents" "says what it wrote"
like "$out" "documents +[0-9,]+ " "ends by showing what the store holds"
S=$T/d/demo.pvx
js=$(pv info "$S" --json)
real=$(printf '%s' "$js" | json_num by_origin.real.documents)
syn=$(printf '%s' "$js" | json_num by_origin.synthetic.documents)
ok $([ "$real" -gt 10 ] && [ "$syn" -gt 10 ] && echo 0 || echo 1) "real ($real) and synthetic ($syn) documents"
# every synthetic document names a real seed that is in the store
sqlite3 "$S" "SELECT count(*) FROM docs s WHERE s.origin='synthetic' AND
	json_extract(s.meta,'\$.seed_id') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM docs r
	WHERE r.origin='real' AND r.ext_id=json_extract(s.meta,'\$.seed_id'))" > "$T/n"
is "$(cat "$T/n")" 0 "every seed_id names a real document of the store"
is "$(sqlite3 "$S" "SELECT count(*) FROM docs WHERE origin='synthetic' AND json_extract(meta,'\$.seed_id') IS NULL")" 0 \
	"every synthetic document has a seed"
out=$(pv demo --dir "$T/d" 2>&1)
like "$out" "using .*demo.pvx" "a second run reuses the store"

# on a terminal, provex demo opens the interface on the demo store
if command -v tmux > /dev/null 2>&1; then
	. "$top_srcdir/tests/tui/lib.sh"
	tui_start 100 30 demo --dir "$T/d"
	tui_see ' 1/[0-9,]+ *$' "on a terminal provex demo opens the list of the demo store"
	like "$SCREEN" 'real|synth' "with its documents"
	tui_quit
	is "$TUI_RC" 0 "and q quits it"
else
	skip "tmux is not installed"
fi
done_testing
