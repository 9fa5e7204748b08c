#!/bin/sh
# The reviewer the interface records (common/reviewer.h): provex browse
# --reviewer NAME, then PROVEX_REVIEWER, then $USER before the password
# database's name (two people sharing an account tell themselves apart
# with USER); each run relabels a document, quits, and provex history
# names the reviewer.  A bad name is refused before the interface starts.
. "$top_srcdir/tests/tui/lib.sh"
export XDG_CONFIG_HOME="$T/cfg"
unset PROVEX_REVIEWER
mkdir -p "$T/cfg/provex"
S=$T/s.pvx
tui_store "$S"
ok $? "a store of 60 documents"

last_reviewer() {	# last_reviewer ID: the reviewer of document ID's last change
	pv history "$S" "$1" | tail -n 1 |
		sed -n "s/^batch [0-9]*  [^ ]*  \\(.*\\)  doc $1  .*/\\1/p"
}

# --reviewer, over PROVEX_REVIEWER and the settings file
printf 'reviewer: carol\n' > "$T/cfg/provex/config.yaml"
export PROVEX_REVIEWER=pat
tui_start 100 30 browse "$S" --reviewer zoe
tui_see ' 1/60 *$' "browse --reviewer: the list"
tui_keys s
tui_see 'origin=synthetic on document 1: 1 changed' "s relabels document 1"
tui_quit
is "$TUI_RC" 0 "the interface ends with status 0"
is "$(last_reviewer 1)" zoe "provex history names the --reviewer"

# PROVEX_REVIEWER, over the settings file
tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "browse with PROVEX_REVIEWER: the list"
tui_keys j r
tui_see 'origin=real on document 2: 1 changed' "r relabels document 2"
tui_quit
is "$(last_reviewer 2)" pat "provex history names PROVEX_REVIEWER's reviewer"
unset PROVEX_REVIEWER

# $USER before the password database's name
rm -f "$T/cfg/provex/config.yaml"
USER=alice
export USER
tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "browse with USER=alice: the list"
tui_keys j j r
tui_see 'origin=real on document 3: already so' "document 3 is real already"
tui_keys s
tui_see 'origin=synthetic on document 3: 1 changed' "s relabels document 3"
tui_quit
is "$(last_reviewer 3)" alice "provex history names \$USER, not the password database's name"

# a bad name is refused before the terminal is touched
nb=$(sqlite3 "$S" "SELECT count(*) FROM batches")
err=$(pv browse "$S" --reviewer "$(printf 'eve\342\200\256')" 2>&1 < /dev/null)
is "$?" 2 "browse --reviewer with U+202E: usage error"
like "$err" 'the reviewer name from --reviewer "eve<U\+202E>" holds a bidi control' \
	"the message names --reviewer"
err=$(PROVEX_REVIEWER="$(printf 'a\342\201\246')" pv browse "$S" 2>&1 < /dev/null)
is "$?" 2 "a bad PROVEX_REVIEWER: usage error"
like "$err" 'from PROVEX_REVIEWER .*U\+2066' "the message names PROVEX_REVIEWER"
is "$(sqlite3 "$S" "SELECT count(*) FROM batches")" "$nb" "nothing recorded"

done_testing
