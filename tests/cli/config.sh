#!/bin/sh
# provex config: the effective configuration printed as YAML, which file
# was read, a broken file (warning with file:line:column, the defaults,
# status 1), --file, and the printed configuration read back unchanged.
. "$top_srcdir/tests/cli/lib.sh"
export XDG_CONFIG_HOME="$T/cfg"
C=$T/cfg/provex/config.yaml

out=$(pv config --print)
ok $? "config --print without a file exits 0"
like "$(printf '%s\n' "$out" | sed -n 1p)" "^# provex configuration: .*/cfg/provex/config.yaml does not exist; the defaults are used$" \
	"the first line says there is no file"
like "$out" "^  1: keep$" "the default quick labels"
like "$out" "^# reviewer: not set" "an unset reviewer is a comment"

mkdir -p "$T/cfg/provex"
cat > "$C" <<'YAML'
reviewer: "Ann O'Neil"
theme: light
columns: [id, origin, text]
quick-labels:
  2: ~
  4: needs-second-look
keys:
  quit: Q
YAML
out=$(pv config)
ok $? "config with a file exits 0"
like "$(printf '%s\n' "$out" | sed -n 1p)" "^# provex configuration: read from .*/cfg/provex/config.yaml$" \
	"the first line names the file read"
like "$out" "^reviewer: \"Ann O'Neil\"$" "reviewer"
like "$out" "^columns: \[id, origin, text\]$" "columns"
like "$out" "^  2: ~$" "an unbound quick label"
like "$out" "^  4: needs-second-look$" "a quick label of the file"
like "$out" "^  quit: Q$" "keys"

# what is printed reads back to the same configuration
printf '%s\n' "$out" > "$T/printed.yaml"
again=$(pv config --file "$T/printed.yaml")
is "$(printf '%s\n' "$again" | sed 1d)" "$(printf '%s\n' "$out" | sed 1d)" \
	"the printed configuration reads back the same"

# a broken file: a warning with the place, the defaults, status 1
printf 'reviewer: bob\ncolumns: [id, colour]\n' > "$C"
out=$(pv config --print 2>"$T/err")
is $? 1 "a broken file exits 1"
like "$(cat "$T/err")" "warning: .*config.yaml:2:15: columns: no column called 'colour'; the columns are id, origin" \
	"the warning names file:line:column and what is allowed"
like "$(printf '%s\n' "$out" | sed -n 1p)" "is broken; the defaults are used$" "the first line says so"
like "$out" "^# reviewer: not set" "and the defaults are printed"

printf 'reviewer: [bob\n' > "$C"
pv config > /dev/null 2>"$T/err"
is $? 1 "a YAML syntax error exits 1"
like "$(cat "$T/err")" "config.yaml:2:1: YAML syntax error" "with its place"

pv config --file "$T/nope.yaml" > /dev/null 2>"$T/err"
is $? 1 "--file with a missing file exits 1"
pv config --bogus > /dev/null 2>&1
is $? 2 "an unknown option is a usage error"
out=$(pv config --help)
like "$out" "^Usage: provex config" "--help"

done_testing
