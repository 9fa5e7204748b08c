#!/bin/sh
# The filter language in the interface, through tmux: NOT, the warning for
# a lowercase "or" between field terms (while typing and on the status line
# once applied), metadata paths with Tab completion of nested keys, and an
# indexed metadata path giving the same documents.
. "$top_srcdir/tests/tui/lib.sh"
export XDG_CONFIG_HOME="$T/cfg"
S=$T/s.pvx

cat > "$T/in.jsonl" <<'J'
{"id":"a","text":"first document","origin":"real","source":"xsum","temperature":0.7,"instances":[{"input":"","output":"yes"}]}
{"id":"b","text":"second document","origin":"synthetic","source":"writing","temperature":"0.9","instances":[{"input":"q","output":"no"}]}
{"id":"c","text":"third document","origin":"synthetic","source":"squad","temperature":0.2,"config":{"top_p":0.95}}
{"id":"d","text":"fourth document","origin":"real","source":"xsum","config":{"top_p":0.5}}
J
pv index -q "$S" "$T/in.jsonl" --id-field id --origin-field origin --source-field source --keep-consumed
ok $? "a store of 4 documents with nested metadata"

tui_start 100 20 browse "$S"
tui_see ' 1/4 *$' "the list opens"

# NOT in capitals
tui_keys /
tui_type 'NOT origin:real'
tui_see '^2 matching documents' "NOT origin:real previews 2 documents"
tui_keys Enter
tui_see ' 1/2 *$' "and applies to 2"

# a lowercase or: searched for as a word, with a warning
tui_keys / C-u
tui_type 'source:xsum or source:writing'
tui_see "^0 matching +warning: 'or' is searched for as a word" \
	"the prompt shows the count and the warning while typing"
tui_keys Enter
tui_see "filter warning at byte 13: 'or' is searched for as a word" \
	"once applied, the status line says how it was read"
tui_keys / C-u
tui_type 'source:xsum OR source:writing'
tui_see '^3 matching documents' "OR in capitals: 3 documents, no warning"
tui_keys Enter
tui_see ' 1/3 *$' "applied"

# metadata: nested paths, completed with Tab
tui_keys / C-u
tui_type 'meta.inst'
tui_keys Tab
tui_see '^/meta\.instances' "Tab completes a metadata key"
tui_see 'meta\.instances +meta\.instances\.0 +meta\.instances\.0\.input +meta\.instances\.0\.output' \
	"and lists the nested paths below it"
tui_type '.0.o'
tui_keys Tab
tui_see '^/meta\.instances\.0\.output:' "Tab completes a nested path to the only one"
tui_type 'yes'
tui_see '^1 matching document' "meta.instances.0.output:yes: 1 document"
tui_keys C-u
tui_type 'meta.config.top'
tui_keys Tab
tui_see '^/meta\.config\.top_p:' "a key inside an object"
tui_type '>0.9'
tui_see '^1 matching document' "meta.config.top_p:>0.9 compares numbers"
tui_keys C-u
tui_type 'meta.temperature:>0.5'
tui_see '^2 matching documents' "a number and a numeric string above 0.5"
tui_keys C-u
tui_type 'has:meta.con'
tui_keys Tab
tui_see '^/has:meta\.config' "has:meta. completes too"
tui_keys Enter
tui_see ' 1/2 *$' "has:meta.config applies to 2 documents"
tui_quit
is "$TUI_RC" 0 "q quits with status 0"

# an indexed path: the same documents, read through the index
pv index -q "$S" --index-meta source
ok $? "index --index-meta source"
tui_start 100 20 browse "$S" 'meta.source:xsum'
tui_see ' 1/2 *$' "meta.source:xsum through the index: 2 documents"
tui_quit
is "$TUI_RC" 0 "q quits with status 0"

# a filter that starts with '-' right after the store
tui_start 100 20 browse "$S" -source:xsum
tui_see 'filter: -source:xsum +1/2 *$' "browse STORE -source:xsum opens on that filter"
tui_keys :
tui_type "export $T/neg.jsonl"
tui_keys Enter
tui_see "exported to $T/neg.jsonl" ":export with a filter that starts with '-'"
is "$(wc -l < "$T/neg.jsonl" | tr -d ' ')" 2 "wrote the filter's 2 documents"
tui_quit
is "$TUI_RC" 0 "q quits with status 0"
done_testing
