/*
 * template.c - see template.h.
 */
#include "config.h"
#include "template.h"

/* The 1-based column of p in s, counting characters (UTF-8 lead bytes). */
static long text_column(const char *s, const char *p)
{
	long col = 1;

	for (; s < p; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			col++;
	return col;
}

int pv_template_check(const char *tpl, const char *what, struct pv_err *err)
{
	const char *p = tpl;

	while (*p) {
		if (p[0] == '\\' && p[1]) {
			p += 2;
		} else if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			p += 2;
		} else if (p[0] == '}') {
			return pv_errf(err, PV_EUSAGE, "%s: '}' at column %ld closes no "
				       "'{' (write }} for a literal brace)", what,
				       text_column(tpl, p));
		} else if (p[0] == '{') {
			const char *end = p + 1;
			while (*end && *end != '}' && *end != '{')
				end++;
			if (*end != '}')
				return pv_errf(err, PV_EUSAGE, "%s: '{' at column %ld is "
					       "not closed by '}' (write {{ for a literal "
					       "brace)", what, text_column(tpl, p));
			if (end == p + 1)
				return pv_errf(err, PV_EUSAGE, "%s: '{}' at column %ld "
					       "names no field (write {{}} for literal "
					       "braces)", what, text_column(tpl, p));
			if (end - p - 1 > 255)
				return pv_errf(err, PV_EUSAGE, "%s: the field name at "
					       "column %ld is longer than 255 bytes",
					       what, text_column(tpl, p));
			p = end + 1;
		} else {
			p++;
		}
	}
	return 0;
}
