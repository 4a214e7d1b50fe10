/*-------------------------------------------------------------------------
 *
 * compare.c
 *	  Comparing two schema models row by row: which objects differ, and
 *	  how, for check_reversible's detail, schema_matches' diagnostic,
 *	  autogenerate's error and migrate.compare_schemas().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"

#include "schema_int.h"

/*
 * The rows that differ, merged in row order: present on one side only, or
 * on both with other definitions.
 */
SchemaDifference *
schema_compare(const SchemaModel *left, const SchemaModel *right, int *n)
{
	int			nl,
				nr;
	SchemaRow  *l = schema_model_rows(left, &nl);
	SchemaRow  *r = schema_model_rows(right, &nr);

	return schema_compare_rows(l, nl, r, nr, n);
}

/*
 * The same for two lists of rows, each sorted as schema_model_rows() sorts
 * them.
 */
SchemaDifference *
schema_compare_rows(const SchemaRow *l, int nl, const SchemaRow *r, int nr,
					int *n)
{
	SchemaDifference *d = palloc(sizeof(SchemaDifference) * (nl + nr + 1));
	int			i = 0,
				j = 0;

	*n = 0;
	while (i < nl || j < nr)
	{
		int			c;

		if (i >= nl)
			c = 1;
		else if (j >= nr)
			c = -1;
		else
		{
			c = strcmp(l[i].kind, r[j].kind);
			if (c == 0)
				c = strcmp(l[i].name, r[j].name);
		}
		if (c == 0 && strcmp(l[i].definition, r[j].definition) == 0)
		{
			i++;
			j++;
			continue;
		}
		d[*n].kind = c <= 0 ? l[i].kind : r[j].kind;
		d[*n].name = c <= 0 ? l[i].name : r[j].name;
		d[*n].left = c <= 0 ? l[i++].definition : NULL;
		d[*n].right = c >= 0 ? r[j++].definition : NULL;
		(*n)++;
	}
	return d;
}

/*
 * Append text, at most maxbytes of it (cut at a character boundary; -1: no
 * limit), with its control characters written as escapes (\r, \x01) so
 * that it stays on one line whatever it holds: a name may contain a
 * carriage return, which would end a SQL comment early.  spaces: line
 * feeds and tabs become spaces instead (a view's query in a message).
 * Returns true when the text was cut.
 */
bool
append_printable(StringInfo buf, const char *text, int maxbytes, bool spaces)
{
	int			len = strlen(text);
	int			keep = maxbytes < 0 || len <= maxbytes ? len :
		pg_mbcliplen(text, len, maxbytes);

	for (int i = 0; i < keep; i++)
	{
		unsigned char c = (unsigned char) text[i];

		if (spaces && (c == '\n' || c == '\t'))
			appendStringInfoChar(buf, ' ');
		else if (c == '\n')
			appendStringInfoString(buf, "\\n");
		else if (c == '\r')
			appendStringInfoString(buf, "\\r");
		else if (c == '\t')
			appendStringInfoString(buf, "\\t");
		else if (c < 0x20 || c == 0x7f)
			appendStringInfo(buf, "\\x%02x", c);
		else
			appendStringInfoChar(buf, (char) c);
	}
	return keep < len;
}

/* a definition for a message: on one line, cut after 200 bytes */
static void
append_short(StringInfo buf, const char *def)
{
	if (append_printable(buf, def, 200, true))
		appendStringInfoString(buf, "...");
}

/*
 * The differences as lines, at most limit of them and then how many more;
 * left_label and right_label name the sides ("the live schema", "desired").
 */
char *
schema_differences_text(const SchemaDifference *d, int n, int limit,
						const char *left_label, const char *right_label)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < n && i < limit; i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, '\n');
		appendStringInfo(&buf, "%s %s: ", d[i].kind, d[i].name);
		if (d[i].left == NULL)
			appendStringInfo(&buf, "only in %s: ", right_label);
		else if (d[i].right == NULL)
			appendStringInfo(&buf, "only in %s: ", left_label);
		else
			appendStringInfo(&buf, "%s has ", left_label);
		append_short(&buf, d[i].left ? d[i].left : d[i].right);
		if (d[i].left && d[i].right)
		{
			appendStringInfo(&buf, "; %s has ", right_label);
			append_short(&buf, d[i].right);
		}
	}
	if (n > limit)
		appendStringInfo(&buf, "\n... and %d more", n - limit);
	return buf.data;
}
