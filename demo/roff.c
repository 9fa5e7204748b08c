/*
 * roff.c - man pages in roff to plain text, roughly: requests dropped
 * except the text of headings and font macros, escapes removed or mapped
 * to UTF-8 (demo_roff_to_text).  Used only for the demo corpus.
 */
#include "demo_int.h"
#include "../common/utf8.h"

#include <string.h>

struct roff_char {
	char name[3];
	const char *text;
};

/* Special characters \(xx and \[xx] worth keeping; others are dropped. */
static const struct roff_char roff_chars[] = {
	{ "bu", "\xe2\x80\xa2" }, { "em", "\xe2\x80\x94" },
	{ "en", "\xe2\x80\x93" }, { "hy", "-" }, { "mi", "-" },
	{ "aq", "'" }, { "dq", "\"" }, { "lq", "\xe2\x80\x9c" },
	{ "rq", "\xe2\x80\x9d" }, { "oq", "\xe2\x80\x98" },
	{ "cq", "\xe2\x80\x99" }, { "co", "\xc2\xa9" }, { "rg", "\xc2\xae" },
	{ "tm", "\xe2\x84\xa2" }, { "mu", "\xc3\x97" }, { "de", "\xc2\xb0" },
	{ "+-", "\xc2\xb1" }, { "<=", "\xe2\x89\xa4" }, { ">=", "\xe2\x89\xa5" },
	{ "!=", "\xe2\x89\xa0" }, { "->", "\xe2\x86\x92" },
	{ "<-", "\xe2\x86\x90" }, { "ti", "~" }, { "ha", "^" }, { "ba", "|" },
	{ "or", "|" }, { "rs", "\\" }, { "sl", "/" }, { "pl", "+" },
	{ "eq", "=" }, { "at", "@" }, { "sh", "#" }, { "Do", "$" },
	{ "ga", "`" }, { "fo", "\xc2\xab" }, { "fc", "\xc2\xbb" },
	{ "R", "\xc2\xae" }, { "Tm", "\xe2\x84\xa2" },
};

/* Appends the text of special character or string `name` (nlen bytes):
 * the table above, or \[uXXXX] code points; anything else is dropped. */
static void roff_special(struct buf *out, const char *name, size_t nlen)
{
	unsigned long cp = 0;
	size_t i;

	for (i = 0; i < PV_ARRAY_LEN(roff_chars); i++) {
		if (strlen(roff_chars[i].name) == nlen &&
		    memcmp(roff_chars[i].name, name, nlen) == 0) {
			buf_puts(out, roff_chars[i].text);
			return;
		}
	}
	if (nlen >= 5 && nlen <= 7 && name[0] == 'u') {
		for (i = 1; i < nlen; i++) {
			int c = to_lower((unsigned char)name[i]);
			if (is_digit(c))
				cp = cp * 16 + (unsigned long)(c - '0');
			else if (c >= 'a' && c <= 'f')
				cp = cp * 16 + (unsigned long)(c - 'a' + 10);
			else
				return;
		}
		if (cp >= 0x20 && (cp < 0x7f || cp >= 0xa0))
			put_utf8(out, cp);
	}
}

/* Reads the name of an escape at s[*i]: "(xy", "[name]" or one character
 * (one UTF-8 sequence).  Points *name at it and advances *i past it. */
static void roff_name(const char *s, size_t len, size_t *i,
		      const char **name, size_t *nlen)
{
	size_t p = *i, q;

	*name = s + p;
	*nlen = 0;
	if (p >= len)
		return;
	if (s[p] == '(') {
		*name = s + p + 1;
		*nlen = PV_MIN((size_t)2, len - p - 1);
		*i = p + 1 + *nlen;
	} else if (s[p] == '[') {
		for (q = p + 1; q < len && s[q] != ']'; q++)
			;
		*name = s + p + 1;
		*nlen = q - p - 1;
		*i = q < len ? q + 1 : q;
	} else {
		q = utf8_seq_len((const unsigned char *)s + p, len - p);
		*nlen = q ? q : 1;
		*i = p + *nlen;
	}
}

/* Skips a delimited escape argument at s[*i] such as 'xyz'. */
static void roff_skip_delim(const char *s, size_t len, size_t *i)
{
	size_t p = *i;
	char d;

	if (p >= len)
		return;
	d = s[p++];
	while (p < len && s[p] != d)
		p++;
	*i = p < len ? p + 1 : p;
}

/* Appends s with roff escapes removed or mapped to text.  Stops at a \"
 * comment. */
static void roff_escapes(struct buf *out, const char *s, size_t len)
{
	const char *name;
	size_t i = 0, nlen;
	char e;

	while (i < len) {
		if (s[i] != '\\') {
			buf_putc(out, s[i++]);
			continue;
		}
		if (++i >= len)
			break;
		e = s[i++];
		switch (e) {
		case '"':
		case '#':
			return;                 /* comment to the end of line */
		case '(':
		case '[':
			i--;
			roff_name(s, len, &i, &name, &nlen);
			roff_special(out, name, nlen);
			break;
		case '*':
			roff_name(s, len, &i, &name, &nlen);
			roff_special(out, name, nlen);
			break;
		case 'f': case 'n': case 'g': case 'F': case 'm': case 'M':
		case 'Y': case 'V': case '$': case 'k':
			roff_name(s, len, &i, &name, &nlen);
			break;
		case 's':
			if (i < len && (s[i] == '+' || s[i] == '-'))
				i++;
			if (i < len && (s[i] == '(' || s[i] == '[')) {
				roff_name(s, len, &i, &name, &nlen);
			} else if (i < len && s[i] == '\'') {
				roff_skip_delim(s, len, &i);
			} else if (i < len && is_digit((unsigned char)s[i])) {
				i++;
				if (i < len && s[i - 1] >= '1' && s[i - 1] <= '3' &&
				    is_digit((unsigned char)s[i]))
					i++;
			}
			break;
		case 'h': case 'v': case 'w': case 'l': case 'L': case 'D':
		case 'o': case 'b': case 'x': case 'Z': case 'X': case 'N':
		case 'R': case 'A': case 'B': case 'C': case 'H': case 'S':
			roff_skip_delim(s, len, &i);
			break;
		case 'e':
		case '\\':
			buf_putc(out, '\\');
			break;
		case '-':
			buf_putc(out, '-');
			break;
		case ' ': case '~': case '0':
			buf_putc(out, ' ');
			break;
		case '&': case '|': case '^': case ':': case '%': case ',':
		case '/': case 'c': case 'd': case 'u': case 'a': case 'z':
		case 'p': case 'r': case 't': case '{': case '}': case '\n':
			break;
		default:
			buf_putc(out, e);       /* \. \' \` and the unknown */
		}
	}
}

/* Appends the arguments of a request line (the text after its name) to
 * out, unescaped and joined by sep, at most `most` of them.  Double quotes
 * group words.  With skip_mdoc, arguments that are mdoc macro names (Fl,
 * Ar, ...) are left out. */
static void roff_args(struct buf *out, const char *s, size_t len,
		      const char *sep, size_t most, bool skip_mdoc)
{
	struct buf arg = BUF_INIT;
	size_t i = 0, n = 0;

	while (i < len && n < most) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= len)
			break;
		if (s[i] == '\\' && i + 1 < len && s[i + 1] == '"')
			break;                  /* comment */
		buf_reset(&arg);
		if (s[i] == '"') {
			for (i++; i < len; ) {
				if (s[i] == '"') {
					if (i + 1 < len && s[i + 1] == '"') {
						buf_putc(&arg, '"');
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (s[i] == '\\' && i + 1 < len) {
					buf_append(&arg, s + i, 2);
					i += 2;
					continue;
				}
				buf_putc(&arg, s[i++]);
			}
		} else {
			while (i < len && s[i] != ' ' && s[i] != '\t') {
				if (s[i] == '\\' && i + 1 < len) {
					buf_append(&arg, s + i, 2);
					i += 2;
					continue;
				}
				buf_putc(&arg, s[i++]);
			}
		}
		if (skip_mdoc && arg.len == 2 && arg.data[0] >= 'A' &&
		    arg.data[0] <= 'Z' && arg.data[1] >= 'a' && arg.data[1] <= 'z')
			continue;
		if (n++ && sep)
			buf_puts(out, sep);
		roff_escapes(out, arg.data ? arg.data : "", arg.len);
	}
	buf_done(&arg);
}

/* Makes sure out ends with a blank line (a paragraph break), unless it is
 * empty. */
static void para_break(struct buf *out)
{
	trim_tail(out, 0);
	if (out->len)
		buf_puts(out, "\n\n");
}

/* Makes sure out ends a line (a roff .br), unless it is empty. */
static void line_break(struct buf *out)
{
	while (out->len && (out->data[out->len - 1] == ' ' ||
			    out->data[out->len - 1] == '\t'))
		out->len--;
	if (out->len && out->data[out->len - 1] != '\n')
		buf_putc(out, '\n');
	else if (out->data)
		out->data[out->len] = '\0';
}

/* Where the roff converter is. */
struct roff_state {
	bool fill;              /* lines are joined (roff fill mode) */
	bool tag;               /* the next output line is a .TP tag */
};

/* Ends the output line appended from byte `start` on: trailing blanks go,
 * then a space (fill mode: the next line joins it) or a newline follows
 * when anything is left. */
static void end_line(struct buf *out, size_t start, struct roff_state *rs)
{
	while (out->len > start && (out->data[out->len - 1] == ' ' ||
				    out->data[out->len - 1] == '\t'))
		out->len--;
	if (out->len > start) {
		buf_putc(out, rs->fill && !rs->tag ? ' ' : '\n');
		rs->tag = false;
	} else if (out->data) {
		out->data[out->len] = '\0';
	}
}

/* True when request name (nlen bytes) is one of the space-separated names
 * in list. */
static bool roff_is(const char *name, size_t nlen, const char *list)
{
	const char *p = list, *q;

	while (*p) {
		q = strchr(p, ' ');
		if (!q)
			q = p + strlen(p);
		if ((size_t)(q - p) == nlen && memcmp(p, name, nlen) == 0)
			return true;
		p = *q ? q + 1 : q;
	}
	return false;
}

/* Converts a man page in roff to plain text, appended to out: filled
 * paragraphs become one line each, headings and tags lines of their own.
 * Returns false when the page is only a link to another (.so). */
bool demo_roff_to_text(struct buf *out, const char *s, size_t len)
{
	struct roff_state rs = { true, false };
	const char *line, *eol, *name, *args;
	size_t p = 0, llen, q, ns, nlen, alen, start;
	bool in_table = false, mdoc;

	while (p < len) {
		line = s + p;
		eol = memchr(line, '\n', len - p);
		llen = eol ? (size_t)(eol - line) : len - p;
		p += llen + (eol ? 1 : 0);
		if (llen && line[llen - 1] == '\r')
			llen--;
		if (in_table) {
			if (llen >= 3 && line[0] == '.' && line[1] == 'T' &&
			    line[2] == 'E')
				in_table = false;
			continue;
		}
		if (llen == 0) {
			para_break(out);
			continue;
		}
		if (line[0] != '.' && line[0] != '\'') {
			if (line[0] == ' ' || line[0] == '\t')
				line_break(out);        /* leading blank: a break */
			start = out->len;
			roff_escapes(out, line, llen);
			end_line(out, start, &rs);
			continue;
		}
		for (q = 1; q < llen && (line[q] == ' ' || line[q] == '\t'); q++)
			;
		for (ns = q; q < llen && line[q] != ' ' && line[q] != '\t'; q++)
			;
		name = line + ns;
		nlen = q - ns;
		args = line + q;
		alen = llen - q;
		if (nlen == 0 || name[0] == '\\')
			continue;               /* comment or empty request */
		mdoc = nlen == 2 && name[0] >= 'A' && name[0] <= 'Z' &&
		       name[1] >= 'a' && name[1] <= 'z';
		if (roff_is(name, nlen, "so")) {
			if (out->len == 0)
				return false;
		} else if (roff_is(name, nlen, "TS")) {
			in_table = true;
		} else if (roff_is(name, nlen, "nf EX Bd")) {
			line_break(out);
			rs.fill = false;
		} else if (roff_is(name, nlen, "fi EE Ed")) {
			line_break(out);
			rs.fill = true;
		} else if (roff_is(name, nlen, "br")) {
			line_break(out);
		} else if (roff_is(name, nlen, "SH SS Sh Ss")) {
			para_break(out);
			roff_args(out, args, alen, " ", SIZE_MAX, false);
			line_break(out);
			rs.tag = false;
		} else if (roff_is(name, nlen, "TP TQ It")) {
			para_break(out);
			rs.tag = true;
			if (name[0] == 'I') {   /* mdoc: the tag is on this line */
				start = out->len;
				roff_args(out, args, alen, " ", SIZE_MAX, true);
				end_line(out, start, &rs);
			}
		} else if (roff_is(name, nlen, "PP P LP sp HP Pp IP Bl El")) {
			para_break(out);
			rs.tag = false;
			if (nlen == 2 && name[0] == 'I' && name[1] == 'P') {
				/* keep a tag, not a bare bullet */
				start = out->len;
				roff_args(out, args, alen, " ", 1, false);
				for (ns = start; ns < out->len &&
				     !is_alpha((unsigned char)out->data[ns]); ns++)
					;
				if (ns == out->len)
					out->len = start;
				rs.tag = true;
				end_line(out, start, &rs);
				rs.tag = false;
			}
		} else if (roff_is(name, nlen, "B I SM SB Nm Nd Em Xr Dq Pa Ar "
				   "Fl Cm Sy Li Ql Va Ev Dv Er Fn Ft Ic Op Sx Tn")) {
			start = out->len;
			roff_args(out, args, alen, " ", SIZE_MAX, mdoc);
			end_line(out, start, &rs);
		} else if (roff_is(name, nlen, "BR RB BI IB IR RI")) {
			start = out->len;
			roff_args(out, args, alen, "", SIZE_MAX, false);
			end_line(out, start, &rs);
		}
		/* every other request is dropped */
	}
	trim_tail(out, 0);
	return true;
}
