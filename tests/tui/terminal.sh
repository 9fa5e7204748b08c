#!/bin/sh
# The interface and the terminal, through tmux: resizing at any moment
# (down to 40x10, and below: "terminal too small"), themes (--theme NAME or
# FILE, :theme, NO_COLOR, 256- and 8-colour terminals, TERM=xterm and
# TERM=linux), configuration problems reported on the status line, and the
# terminal given back as it was on every way out: q, Ctrl-C, SIGTERM, a
# crash signal (SIGSEGV, Ctrl-\), and across Ctrl-Z and fg.
#
# The ways out run provex as a job of an interactive shell in the pane, as
# a person would, and then ask that shell (stty -a) and tmux (the pane's
# modes: alternate screen, cursor, mouse reports, keypad) what is left.
. "$top_srcdir/tests/tui/lib.sh"
export XDG_CONFIG_HOME="$T/cfg"
mkdir -p "$T/cfg/provex"
S=$T/s.pvx
tui_store "$S"
ok $? "a store of 60 documents"
ESC=$(printf '\033')

# ---- helpers ----

settled() {	# settled COMMAND...: COMMAND is true of a settled screen
	"$@" && tui_settle && "$@"
}

check() {	# check NAME COMMAND...: a test that COMMAND comes true of a
	# settled screen (a capture can catch one half drawn)
	_name=$1; shift
	if tui_until settled "$@"; then
		ok 0 "$_name"
	else
		ok 1 "$_name"
		printf '%s\n' "$SCREEN" | sed 's/^/#   | /'
	fi
}

fits() {	# fits W H: the capture is at most H lines of at most W columns
	[ "$(printf '%s\n' "$SCREEN" | wc -l)" -le "$2" ] &&
	[ "$(printf '%s\n' "$SCREEN" | LC_ALL=C.UTF-8 wc -L)" -le "$1" ]
}

list_at() {	# list_at W H POS: the list redrawn for WxH, the cursor at POS/60
	fits "$1" "$2" &&
	tui_row 0 | grep -Eq '^ +id' &&
	tui_row 1 | grep -Eq '^.? +1 (real|synth)' &&
	tui_row "$(( $2 - 2 ))" | grep -Eq "^.? +$(( $2 - 2 )) (real|synth)" &&
	tui_row "$(( $2 - 1 ))" | grep -Eq " $3/60 *\$"
}

bottom_has() {	# bottom_has W H PATTERN: fits WxH, and the last row matches
	fits "$1" "$2" && tui_row "$(( $2 - 1 ))" | grep -Eq -- "$3"
}

row_has() {	# row_has W H N PATTERN
	fits "$1" "$2" && tui_row "$3" | grep -Eq -- "$4"
}

rows_have() {	# rows_have W H N PATTERN M PATTERN2: rows N and M match
	fits "$1" "$2" && tui_row "$3" | grep -Eq -- "$4" && tui_row "$5" | grep -Eq -- "$6"
}

capture_e() {	# the screen with its SGR sequences
	SCREEN_E=$(tx capture-pane -e -p -t pv 2> /dev/null)
}

sgr_colours() {	# the colour parameters of the SGR sequences in $1, sorted
	printf '%s\n' "$1" | grep -o "$ESC\\[[0-9;:]*m" | sed "s/^$ESC\\[//; s/m\$//" |
		tr ';:' '\n\n' | grep -Ex '3[0-8]|4[0-8]|9[0-7]|10[0-7]' | sort -un | tr '\n' ' '
}

no_colours() {	# no colour codes on the screen
	capture_e
	[ -z "$(sgr_colours "$SCREEN_E")" ]
}

sgr_params() {	# every SGR parameter in $1
	printf '%s\n' "$1" | grep -o "$ESC\\[[0-9;:]*m" | sed "s/^$ESC\\[//; s/m\$//" |
		tr ';:' '\n\n' | sort -un | tr '\n' ' '
}

# provex as a job of an interactive shell in the pane
PS_MARK='pvsh$ '
sh_start() {	# sh_start W H TERM
	tui_session "$1" "$2" \
		"exec env -u ENV PS1='$PS_MARK' LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=$3 sh -i"
	tui_wait '^pvsh\$ ?$'
}

sh_type() {	# sh_type COMMAND: typed at the shell's prompt
	tx send-keys -t pv -l "$1"
	tx send-keys -t pv Enter
}

_mark=0
PVCMD=
pv_cmd() {	# pv_cmd [plain] ARGS...: provex in the pane, its pid in $T/pid
	_vg=${PROVEX_VALGRIND:-}
	if [ "$1" = plain ]; then _vg=; shift; fi
	PVCMD="sh -c 'echo \$\$ > $T/pid; exec"
	[ -n "$_vg" ] && PVCMD="$PVCMD $TUI_VALGRIND"
	PVCMD="$PVCMD $PROVEX $*'"
}

pv_gone() {	# pv_gone: 0 once the provex started by $PVCMD has ended
	_end=$(( $(date +%s) + TUI_WAIT ))
	while kill -0 "$(cat "$T/pid" 2> /dev/null)" 2> /dev/null; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.05
	done
	return 0
}

sh_status() {	# sh_status: the shell reports the last job's exit status in $SH_RC
	# typed only once provex has ended: keys typed before would be read
	# by it, or sit in the tty in its modes
	pv_gone
	_mark=$((_mark + 1))
	sh_type "echo RC$_mark=\$?"
	if ! tui_wait "^RC$_mark=[0-9]+"; then
		SH_RC=none
		printf '%s\n' "$SCREEN" | grep -v '^$' | sed 's/^/#   | /'
		return
	fi
	SH_RC=$(printf '%s\n' "$SCREEN" | sed -n "s/^RC$_mark=\\([0-9]*\\).*/\\1/p" | tail -n 1)
	if [ "$SH_RC" = 99 ]; then
		tui_valgrind_error "interface, in a shell"
	fi
}

sh_modes() {	# sh_modes: the shell's stty modes that curses changes, in $MODES
	_mark=$((_mark + 1))
	sh_type "echo M$_mark=\$(stty -a | tr ' ;' '\\n\\n' | grep -Ex -- '-?(icanon|echo|isig|icrnl|onlcr)' | tr '\\n' ' ')"
	tui_wait "^M$_mark=" || { MODES=none; return; }
	MODES=$(printf '%s\n' "$SCREEN" | sed -n "s/^M$_mark=//p" | tail -n 1 | sed 's/ *$//')
}

pane_modes() {	# what tmux says of the pane: alternate screen, cursor, mouse, keypad
	tx display -p -t pv 'alt=#{alternate_on} cursor=#{cursor_flag} mouse=#{mouse_any_flag} keypad=#{keypad_cursor_flag}'
}

RESTORED='icrnl onlcr isig icanon echo'
SANE='alt=0 cursor=1 mouse=0 keypad=0'

# ---- resizing ----

tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "the list at 100x30"
tx resize-window -t pv -x 40 -y 10
check "resized to 40x10: header, rows 1-8 and the status line, all within 40 columns" \
	list_at 40 10 1
like "$(tui_row 9)" '^/.{30,} 1/60$' "the status line keeps the position on the right at 40 columns"
tui_keys j j
check "keys work at 40x10" list_at 40 10 3
tui_keys g
tx resize-window -t pv -x 100 -y 30
check "back to 100x30: all 28 rows again" list_at 100 30 1
like "$(tui_row 0)" 'id. +origin +source +generator +purpose +label +size +text' \
	"and every column"

# in the middle of things: a prompt, a confirmation, the help, the reader, a form
tui_keys /
tui_type 'origin:real'
tui_see '^30 matching' "the filter prompt previews"
tx resize-window -t pv -x 40 -y 10
check "resized with the filter prompt open: the prompt stays at the bottom" \
	rows_have 40 10 8 '^/origin:real' 0 '^ +id'
tx resize-window -t pv -x 100 -y 30
check "and after resizing back" \
	rows_have 100 30 28 '^/origin:real' 0 'generator +purpose +label +size +text'
tui_keys Escape
tui_see 'cancelled' "Esc still cancels the prompt"
tui_keys t t g s
tui_see '\(y/n\)' "a confirmation"
tx resize-window -t pv -x 40 -y 10
check "resized during a confirmation: the question is on the last row" \
	rows_have 40 10 9 '^set origin=synthetic on 2' 0 '^ +id'
tui_keys n
check "n answers it at the new size" bottom_has 40 10 'cancelled'
tui_keys C-t '?'
check "the help at 40x10" row_has 40 10 0 '^provex keys'
tx resize-window -t pv -x 60 -y 15
check "the help redrawn at 60x15" bottom_has 60 15 '^q: back +1/[0-9]+$'
tui_keys q Enter
check "the reader at 60x15" row_has 60 15 0 '^#1 '
tx resize-window -t pv -x 40 -y 10
check "the reader redrawn at 40x10" rows_have 40 10 0 '^#1 ' 9 'line 1/1'
tui_keys q e
check "the edit form at 40x10" row_has 40 10 2 'purpose'
tx resize-window -t pv -x 100 -y 30
check "the edit form redrawn at 100x30, over the list" \
	rows_have 100 30 1 'edit document 1' 0 'generator +purpose +label +size +text'
tui_keys Escape
tui_see 'edit cancelled' "Esc leaves the form"

# too small, and a burst of sizes
tx resize-window -t pv -x 15 -y 4
check "below 20x5: 'terminal too small'" row_has 15 4 0 '^terminal too sm'
tx resize-window -t pv -x 100 -y 30
check "and the list comes back" list_at 100 30 1
for s in 60x20 45x12 90x25 41x11 70x18 40x10; do
	tx resize-window -t pv -x "${s%x*}" -y "${s#*x}"
done
check "after a burst of resizes the screen is drawn for the last size" list_at 40 10 1
tx resize-window -t pv -x 100 -y 30
check "and back" list_at 100 30 1
tui_quit
is "$TUI_RC" 0 "q quits with status 0 after all that"

# ---- themes ----

# a theme file with a 256-colour badge
cat > "$T/red.yaml" <<'EOF'
name: redbadge
roles:
  badge-real: { fg: 196, bg: default, attrs: [bold] }
EOF
cat > "$T/bad.yaml" <<'EOF'
name: bad
roles:
  cursor: { fg: purple }
EOF

for term in tmux-256color xterm-256color xterm linux; do
	TUI_TERM=$term tui_start 100 30 browse --theme "$T/red.yaml" "$S"
	tui_see ' 1/60 *$' "TERM=$term: the list shows"
	like "$(tui_row 1)" '^ +1 real +news' "TERM=$term: rows are drawn"
	capture_e
	case $term in
	*256color)
		like "$SCREEN_E" "$ESC\\[([0-9;]*;)?38;5;196m" \
			"TERM=$term: --theme FILE, colour 196 is sent as a 256-colour code" ;;
	*)
		unlike "$SCREEN_E" "38;5;" "TERM=$term: no 256-colour codes on an 8-colour terminal"
		like " $(sgr_colours "$SCREEN_E")" " 31 " \
			"TERM=$term: colour 196 falls back to red (31)" ;;
	esac
	tui_keys j
	tui_see ' 2/60 *$' "TERM=$term: keys work"
	tui_quit
	is "$TUI_RC" 0 "TERM=$term: q quits with status 0"
done

TUI_TERM=xterm-256color tui_start 100 30 browse --theme light "$S"
tui_see ' 1/60 *$' "--theme light"
capture_e
like "$SCREEN_E" "38;5;28m" "light's badge colour 28 on a 256-colour terminal"
tui_quit

TUI_TERM=xterm-256color tui_start 100 30 browse --theme mono "$S"
tui_see ' 1/60 *$' "--theme mono"
capture_e
is "$(sgr_colours "$SCREEN_E")" "" "mono sends no colour codes"
like " $(sgr_params "$SCREEN_E")" " 7 " "but attributes (reverse for the cursor and status)"
tui_quit

TUI_TERM=xterm-256color tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "the default theme"
capture_e
like "$(sgr_colours "$SCREEN_E")" '[0-9]' "draws with colours"
tui_keys :
tui_type 'theme mono'
tui_keys Enter
tui_see 'theme mono' ":theme mono at run time"
check "the screen is redrawn without colours" no_colours
tui_keys :
tui_type 'theme nosuch'
tui_keys Enter
tui_see "no theme called 'nosuch'" ":theme with an unknown name says so"
tui_keys :
tui_type "theme $T/red.yaml"
tui_keys Enter
tui_see 'theme redbadge' ":theme FILE"
capture_e
like "$SCREEN_E" "38;5;196m" "its colours are used"
tui_quit
is "$TUI_RC" 0 "quits with status 0"

# NO_COLOR: attributes only, whatever the terminal and the theme
export NO_COLOR=1
for term in xterm-256color linux; do
	TUI_TERM=$term tui_start 100 30 browse --theme light "$S"
	tui_see ' 1/60 *$' "NO_COLOR=1, TERM=$term: the list shows"
	capture_e
	is "$(sgr_colours "$SCREEN_E")" "" "NO_COLOR=1, TERM=$term: no colour codes"
	like " $(sgr_params "$SCREEN_E")" " 1 " "NO_COLOR=1, TERM=$term: bold (the header, badges)"
	like " $(sgr_params "$SCREEN_E")" " 7 " "NO_COLOR=1, TERM=$term: reverse (the cursor)"
	tui_keys :
	tui_type 'theme default'
	tui_keys Enter
	tui_see 'theme default' "NO_COLOR=1, TERM=$term: :theme default"
	capture_e
	is "$(sgr_colours "$SCREEN_E")" "" "NO_COLOR=1, TERM=$term: still no colour codes"
	tui_quit
done
unset NO_COLOR

# an unknown theme is an error before the interface starts (no terminal needed)
out=$(pv browse --theme nosuch "$S" < /dev/null 2>&1)
is $? 1 "--theme with an unknown name: exit status 1"
like "$out" "no theme called 'nosuch'.*default, high-contrast, light, mono" \
	"the message names the themes there are"
out=$(pv browse --theme "$T/bad.yaml" "$S" < /dev/null 2>&1)
is $? 1 "--theme FILE with an error: exit status 1"
like "$out" "bad\\.yaml.*unknown colour 'purple'" "the message names the file and the error"
like "$out" "bad\\.yaml:[0-9]+:[0-9]+: " "with its line and column"
out=$(pv browse --theme "$T/missing.yaml" "$S" < /dev/null 2>&1)
is $? 1 "--theme FILE that does not exist: exit status 1"
tui_start 100 30 browse "$S" --theme mono
tui_see ' 1/60 *$' "browse STORE --theme NAME: options after the store"
tui_quit

# ---- the configuration: problems go on the status line, the defaults are used ----

C=$T/cfg/provex/config.yaml
printf 'reviewer: carol\ntheme: nosuch\n' > "$C"
tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "a configuration naming an unknown theme: provex starts"
like "$(tui_status)" "no theme called 'nosuch'" "the status line says so"
like "$(tui_status)" "config\\.yaml:2:8: no theme called 'nosuch'" "with the file, line and column of theme:"
capture_e
like "$SCREEN_E" "$ESC\\[([0-9;]*;)?46m" "the default theme is used (the cursor's cyan)"
tui_quit
is "$TUI_RC" 0 "and quits with status 0"

printf 'reviewer: carol\nquick-labels: {4: needs-review\ncolumns: [id]\n' > "$C"
tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "a broken config.yaml: provex starts"
like "$(tui_status)" 'cfg/provex/config\.yaml:[0-9]+:[0-9]+: .*(YAML|syntax)' \
	"the status line has file:line:column and the error"
like "$(tui_row 0)" 'origin +source +generator' "the default columns are used"
tui_keys j
tui_see '^/.* 2/60 *$' "the message goes at the next key"
tui_quit
is "$TUI_RC" 0 "quits with status 0"

printf 'columns: [id, nosuch]\n' > "$C"
tui_start 100 30 browse "$S"
tui_see ' 1/60 *$' "an unknown column: provex starts"
like "$(tui_status)" 'config\.yaml:1:[0-9]+: .*nosuch' "the status line has file:line:column"
tui_quit
rm -f "$C"

# ---- the ways out: provex as a shell's job ----

for term in tmux-256color xterm linux; do
	sh_start 100 30 "$term"
	pv_cmd browse "$S"
	sh_type "$PVCMD"
	tui_see ' 1/60 *$' "TERM=$term, in a shell: the list shows"
	[ "$term" = linux ] || is "$(pane_modes | cut -d' ' -f1)" "alt=1" \
		"TERM=$term: the interface uses the alternate screen"
	tui_keys q
	sh_status
	is "$SH_RC" 0 "TERM=$term: q quits with status 0"
	is "$(pane_modes)" "$SANE" "TERM=$term: after q the pane is back to normal (screen, cursor, mouse, keypad)"
	sh_modes
	is "$MODES" "$RESTORED" "TERM=$term: after q the tty modes are back (icanon, echo...)"
done

# Ctrl-C
sh_start 100 30 tmux-256color
pv_cmd browse "$S"
sh_type "$PVCMD"
tui_see ' 1/60 *$' "the list"
tui_keys /
tui_type 'orig'
tui_see '^/orig' "with a prompt open"
tui_keys C-c
sh_status
is "$SH_RC" 130 "Ctrl-C: exit status 130"
is "$(pane_modes)" "$SANE" "Ctrl-C: the pane is back to normal"
sh_modes
is "$MODES" "$RESTORED" "Ctrl-C: the tty modes are back"

# SIGTERM
sh_type "$PVCMD"
tui_see ' 1/60 *$' "the list again"
kill -TERM "$(cat "$T/pid")"
sh_status
like "$SH_RC" '^1[0-9][0-9]$' "SIGTERM: ends (status $SH_RC)"
is "$(pane_modes)" "$SANE" "SIGTERM: the pane is back to normal"
sh_modes
is "$MODES" "$RESTORED" "SIGTERM: the tty modes are back"

# Ctrl-Z, a resize while stopped, fg.  Not under valgrind: it does not
# carry out the stop a program sends itself (kill(getpid(), SIGTSTP) with
# the default action, as curses does on Ctrl-Z), so the job never stops.
pv_cmd plain browse "$S"
sh_type "$PVCMD"
tui_see ' 1/60 *$' "the list again"
tui_keys j j
tui_see ' 3/60 *$' "moved to the third document"
tui_keys C-z
tui_see 'Stopped' "Ctrl-Z stops provex"
like "$(printf '%s\n' "$SCREEN" | grep -v '^$' | tail -n 1)" '^pvsh\$ ?$' "and the shell's prompt appears"
is "$(pane_modes)" "$SANE" "while stopped the pane is back to normal"
sh_modes
is "$MODES" "$RESTORED" "while stopped the tty modes are the shell's"
sh_type 'clear'
tui_wait '^pvsh\$ ?$'
sh_type 'fg'
check "fg brings the list back, redrawn, at the same place" list_at 100 30 3
is "$(pane_modes)" "alt=1 cursor=0 mouse=1 keypad=1" \
	"and the interface's modes (alternate screen, no cursor, mouse, keypad)"
tui_keys j
check "keys work after fg" list_at 100 30 4
tui_keys C-z
tui_see 'Stopped' "Ctrl-Z again"
tx resize-window -t pv -x 70 -y 20
sh_type 'fg'
check "resized while stopped: fg draws the list for the new size" list_at 70 20 4
tui_keys q
sh_status
is "$SH_RC" 0 "q quits with status 0 after Ctrl-Z and fg"
is "$(pane_modes)" "$SANE" "and the pane is back to normal"

# crash signals (provex runs without valgrind here: the process is meant to die)
sh_start 100 30 tmux-256color
pv_cmd plain browse "$S"
sh_type "$PVCMD"
tui_see ' 1/60 *$' "the list"
kill -SEGV "$(cat "$T/pid")"
sh_status
is "$SH_RC" 139 "SIGSEGV: provex dies of it (status 139)"
is "$(pane_modes)" "$SANE" "SIGSEGV: the pane is back to normal"
sh_modes
is "$MODES" "$RESTORED" "SIGSEGV: the tty modes are back"

sh_type "$PVCMD"
tui_see ' 1/60 *$' "the list again"
tui_keys 'C-\'
sh_status
is "$SH_RC" 131 "Ctrl-\\ (SIGQUIT): provex dies of it (status 131)"
is "$(pane_modes)" "$SANE" "SIGQUIT: the pane is back to normal"
sh_modes
is "$MODES" "$RESTORED" "SIGQUIT: the tty modes are back"

sh_type "$PVCMD"
tui_see ' 1/60 *$' "the list again"
kill -BUS "$(cat "$T/pid")"
sh_status
is "$SH_RC" 135 "SIGBUS: status 135"
is "$(pane_modes)" "$SANE" "SIGBUS: the pane is back to normal"
sh_modes
is "$MODES" "$RESTORED" "SIGBUS: the tty modes are back"
tx kill-server 2> /dev/null

done_testing
