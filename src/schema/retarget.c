/*-------------------------------------------------------------------------
 *
 * retarget.c
 *	  Turning the names of one schema into those of another in SQL the
 *	  server deparsed: what a diff script needs to make in the live schema
 *	  what the desired schema's definitions make there.
 *
 * The work is done on the server's own tokens (the core scanner), never on
 * substrings: a string literal holding the schema's name, or an identifier
 * that merely contains it, is left as it is.  The hard case is a qualifier
 * that is not one: "d.x" is schema d's object x, or column x of a table
 * aliased d, and only the grammar around it tells (a view's query may hold
 * both).  The loader reads each definition the diff writes twice (load_model.c):
 * once under a search_path of pg_catalog alone, where every object of d is
 * written "d.x", and once under "d, pg_catalog, live", where it is written
 * "x".  The server's deparser writes the rest (aliases, columns, literals)
 * the same both times, so walking the two token streams side by side finds
 * exactly the qualifiers the first one added: those naming d are turned to
 * the live schema, those naming the live schema are kept.  A few forms are
 * qualifiers wherever they appear and are turned whatever the second text
 * says: "d.f(" (a function, or a relation followed by its column list),
 * OPERATOR(d.op), and the names inside literals of the reg* types
 * ('d.seq'::regclass).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/keywords.h"
#include "lib/stringinfo.h"
#include "parser/scanner.h"
#include "parser/scansup.h"
#include "utils/builtins.h"

#include "retarget.h"

typedef enum TokenKind
{
	TK_NAME,					/* identifier or keyword */
	TK_STRING,					/* string literal of any form */
	TK_OTHER					/* operators, punctuation, numbers */
} TokenKind;

typedef struct Token
{
	TokenKind	kind;
	int			start;			/* byte offset in the text */
	int			len;			/* bytes, trailing white space left out */
	bool		keyword;
	const char *value;			/* names: as the server reads them (folded,
								 * unquoted); strings: the value */
} Token;

typedef struct Tokens
{
	const char *text;
	Token	   *tok;
	int			n;
} Tokens;

/* the kind of the token that starts at p */
static TokenKind
classify(const char *p)
{
	unsigned char c = (unsigned char) p[0];

	if (c == '\'')
		return TK_STRING;
	if (c == '$')
		return isdigit((unsigned char) p[1]) ? TK_OTHER : TK_STRING;
	if (strchr("eEbBxX", c) && p[1] == '\'')
		return TK_STRING;
	if ((c == 'u' || c == 'U') && p[1] == '&')
		return p[2] == '\'' ? TK_STRING : TK_NAME;
	if (c == '"' || c == '_' || isalpha(c) || IS_HIGHBIT_SET(c))
		return TK_NAME;
	return TK_OTHER;
}

/* an unquoted word at p: is it a keyword? */
static bool
is_keyword(const char *p)
{
	int			len = 0;
	char	   *word;
	bool		found;

	while (isalnum((unsigned char) p[len]) || p[len] == '_' || p[len] == '$' ||
		   IS_HIGHBIT_SET(p[len]))
		len++;
	word = pnstrdup(p, len);
	found = ScanKeywordLookup(word, &ScanKeywords) >= 0;
	pfree(word);
	return found;
}

/*
 * The tokens of text, as the server's scanner reads them.  The scanner is
 * set up as the deparsers wrote the text (standard_conforming_strings on),
 * whatever the session says.
 */
static Tokens
tokenize(const char *text)
{
	Tokens		t;
	core_yy_extra_type extra;
	core_yyscan_t scanner;
	int			max = 64;
	int			end = strlen(text);

	t.text = text;
	t.n = 0;
	t.tok = palloc(sizeof(Token) * max);
	scanner = scanner_init(text, &extra, &ScanKeywords, ScanKeywordTokens);
	extra.standard_conforming_strings = true;
	extra.escape_string_warning = false;
	for (;;)
	{
		core_YYSTYPE val;
		int			loc;
		Token	   *tk;

		if (core_yylex(&val, &loc, scanner) == 0)
			break;
		if (t.n == max)
		{
			max *= 2;
			t.tok = repalloc(t.tok, sizeof(Token) * max);
		}
		tk = &t.tok[t.n++];
		tk->start = loc;
		tk->kind = classify(text + loc);
		tk->keyword = tk->kind == TK_NAME && text[loc] != '"' &&
			!((text[loc] == 'u' || text[loc] == 'U') && text[loc + 1] == '&') &&
			is_keyword(text + loc);
		tk->value = tk->kind == TK_OTHER ? NULL :
			tk->keyword ? val.keyword : val.str;
	}
	scanner_finish(scanner);
	for (int k = 0; k < t.n; k++)
	{
		int			stop = k + 1 < t.n ? t.tok[k + 1].start : end;

		while (stop > t.tok[k].start && scanner_isspace(text[stop - 1]))
			stop--;
		t.tok[k].len = stop - t.tok[k].start;
	}
	return t;
}

static bool
same(const Tokens *a, int i, const Tokens *b, int j)
{
	return i < a->n && j < b->n && a->tok[i].len == b->tok[j].len &&
		memcmp(a->text + a->tok[i].start, b->text + b->tok[j].start,
			   a->tok[i].len) == 0;
}

/* token i is the punctuation or operator op */
static bool
is_char(const Tokens *t, int i, const char *op)
{
	return i >= 0 && i < t->n && t->tok[i].kind == TK_OTHER &&
		t->tok[i].len == (int) strlen(op) &&
		memcmp(t->text + t->tok[i].start, op, t->tok[i].len) == 0;
}

/* token i is a name (or keyword) that reads name */
static bool
is_name(const Tokens *t, int i, const char *name)
{
	return i >= 0 && i < t->n && t->tok[i].kind == TK_NAME &&
		strcmp(t->tok[i].value, name) == 0;
}

/* token i is the keyword word (lower case) */
static bool
is_word(const Tokens *t, int i, const char *word)
{
	return is_name(t, i, word) && t->tok[i].keyword;
}

/* tokens i.. are "name ." (a qualifier) */
static bool
is_qualifier(const Tokens *t, int i)
{
	return i >= 0 && i < t->n && t->tok[i].kind == TK_NAME && is_char(t, i + 1, ".");
}

/* tokens i.. are "name . name (": a function, or a relation and its columns */
static bool
is_call(const Tokens *t, int i)
{
	return is_qualifier(t, i) && i + 2 < t->n && t->tok[i + 2].kind == TK_NAME &&
		is_char(t, i + 3, "(");
}

/* tokens i.. are "OPERATOR ( name . op )": the qualifier is token i + 2 */
static bool
is_qualified_operator(const Tokens *t, int i)
{
	return is_word(t, i, "operator") && is_char(t, i + 1, "(") &&
		is_qualifier(t, i + 2) && i + 4 < t->n && is_char(t, i + 5, ")");
}

/* the types whose literals name objects ('s.seq'::regclass) */
static bool
is_reg_type(const Tokens *t, int i)
{
	static const char *const types[] = {
		"regclass", "regcollation", "regconfig", "regdictionary", "regnamespace",
		"regoper", "regoperator", "regproc", "regprocedure", "regtype",
	};

	if (i >= t->n || t->tok[i].kind != TK_NAME)
		return false;
	for (int k = 0; k < (int) lengthof(types); k++)
		if (strcmp(t->tok[i].value, types[k]) == 0)
			return true;
	return false;
}

/* string token i is a literal of a reg* type: the name it holds is one */
static bool
is_reg_literal(const Tokens *t, int i)
{
	if (i >= t->n || t->tok[i].kind != TK_STRING || !is_char(t, i + 1, "::"))
		return false;
	/* under the loader's search_path the type is pg_catalog's, unqualified */
	return is_reg_type(t, i + 2) ||
		(is_name(t, i + 2, "pg_catalog") && is_char(t, i + 3, ".") && is_reg_type(t, i + 4));
}

/* The edits to the text: token tok[k] is written as replacement. */
typedef struct Edits
{
	char	  **with;			/* per token: NULL, or its replacement */
} Edits;

static void
replace(Edits *e, int k, const char *replacement)
{
	e->with[k] = pstrdup(replacement);
}

static char *
apply(const Tokens *t, const Edits *e)
{
	StringInfoData buf;
	int			pos = 0;

	initStringInfo(&buf);
	for (int k = 0; k < t->n; k++)
	{
		if (e->with[k] == NULL)
			continue;
		appendBinaryStringInfo(&buf, t->text + pos, t->tok[k].start - pos);
		appendStringInfoString(&buf, e->with[k]);
		pos = t->tok[k].start + t->tok[k].len;
	}
	appendStringInfoString(&buf, t->text + pos);
	return buf.data;
}

/*
 * Every qualifier naming schema from in text, which holds names only (the
 * value of a reg* literal: "s.f(s.t)", "s.<(integer,integer)"), turned to
 * to; the schema alone (a regnamespace) too.
 */
static char *
retarget_names(const char *text, const char *from, const char *to)
{
	Tokens		t = tokenize(text);
	Edits		e;

	e.with = palloc0(sizeof(char *) * Max(t.n, 1));
	if (t.n == 1 && is_name(&t, 0, from))
		replace(&e, 0, quote_identifier(to));
	for (int k = 0; k < t.n; k++)
		if (is_qualifier(&t, k) && is_name(&t, k, from))
			replace(&e, k, quote_identifier(to));
	return apply(&t, &e);
}

/*
 * The qualifiers of schema from that are one wherever they stand: before
 * a name and a parenthesis, inside OPERATOR(), inside reg* literals.
 */
static void
retarget_sure_qualifiers(const Tokens *q, Edits *e, const char *from, const char *to)
{
	for (int k = 0; k < q->n; k++)
	{
		if (e->with[k])
			continue;
		if (is_call(q, k) && is_name(q, k, from))
			replace(e, k, quote_identifier(to));
		else if (is_qualified_operator(q, k - 2) && is_name(q, k, from))
			replace(e, k, quote_identifier(to));
		else if (is_reg_literal(q, k))
		{
			char	   *value = retarget_names(q->tok[k].value, from, to);

			if (strcmp(value, q->tok[k].value) != 0)
				replace(e, k, quote_literal_cstr(value));
		}
	}
}

/*
 * What is left of "from ." once both readings are matched was written in
 * both: a table alias spelled like the schema, or a qualifier the deparser
 * writes whatever the search_path (a table named like a common table
 * expression of its query).  An alias is declared in the text (a name not
 * followed by a dot) or by the server itself (new, old, excluded); a name
 * nothing declares is a qualifier, and is turned.  When the text declares
 * the name and has a common table expression too, either may be meant:
 * false, and *why says so.
 */
static bool
retarget_left_over(const Tokens *q, Edits *e, const char *from, const char *to, char **why)
{
	bool		left = false;
	bool		declared = strcmp(from, "new") == 0 || strcmp(from, "old") == 0 ||
		strcmp(from, "excluded") == 0;
	bool		cte = false;

	for (int k = 0; k < q->n; k++)
	{
		if (e->with[k] == NULL && is_name(q, k, from))
		{
			if (!is_char(q, k + 1, "."))
				declared = true;
			else if (!is_char(q, k + 2, "*"))	/* a whole row is a table's */
				left = true;
		}
		if (is_word(q, k, "with") && k + 2 < q->n && q->tok[k + 1].kind == TK_NAME &&
			(is_word(q, k + 2, "as") || is_char(q, k + 2, "(") || is_word(q, k + 1, "recursive")))
			cte = true;
	}
	if (!left || (declared && !cte))
		return true;
	if (declared)
	{
		*why = psprintf("it names %s both as a table alias and, under a common table expression of the same name, as a schema, and the script cannot tell which is which",
						quote_identifier(from));
		return false;
	}
	for (int k = 0; k < q->n; k++)
		if (e->with[k] == NULL && is_qualifier(q, k) && is_name(q, k, from) &&
			!is_char(q, k + 2, "*"))
			replace(e, k, quote_identifier(to));
	return true;
}

char *
sql_retarget(const char *script, const char *relative, const char *from,
			 const char *to, char **why)
{
	Tokens		q = tokenize(script);
	Tokens		r = tokenize(relative);
	Edits		e;
	int			i = 0,
				j = 0;

	e.with = palloc0(sizeof(char *) * Max(q.n, 1));
	while (i < q.n || j < r.n)
	{
		bool		qualifier = is_qualifier(&q, i) && same(&q, i + 2, &r, j) &&
			(is_name(&q, i, from) || is_name(&q, i, to));

		/*
		 * Both texts go on alike; but "d.d" against "d" may be schema d's
		 * table d against its name alone, told from a column d of a table
		 * aliased d by what follows.
		 */
		if (same(&q, i, &r, j) &&
			(!qualifier || (same(&q, i + 1, &r, j + 1) && same(&q, i + 2, &r, j + 2))))
		{
			i++, j++;
			continue;
		}
		/* a qualifier the script text has and the relative one has not */
		if (qualifier)
		{
			if (is_name(&q, i, from))
				replace(&e, i, quote_identifier(to));
			i += 2;
			continue;
		}
		if (is_qualified_operator(&q, i) && same(&q, i + 4, &r, j) &&
			(is_name(&q, i + 2, from) || is_name(&q, i + 2, to)))
		{
			if (is_name(&q, i + 2, from))
				replace(&e, i + 2, quote_identifier(to));
			i += 6, j++;
			continue;
		}
		/* pg_catalog, which the relative text names when from hides it */
		if (is_qualifier(&r, j) && is_name(&r, j, "pg_catalog") && same(&q, i, &r, j + 2))
		{
			j += 2;
			continue;
		}
		if (is_qualified_operator(&r, j) && is_name(&r, j + 2, "pg_catalog") &&
			same(&q, i, &r, j + 4))
		{
			i++, j += 6;
			continue;
		}
		/* a reg* literal, qualified in one text only: turned below */
		if (i < q.n && j < r.n && is_reg_literal(&q, i) && r.tok[j].kind == TK_STRING)
		{
			i++, j++;
			continue;
		}
		*why = psprintf("read with and without schema %s on the search_path, it differs in more than the qualifiers of names (at \"%.*s\")",
						quote_identifier(from), i < q.n ? Min(q.tok[i].len, 40) : 0,
						i < q.n ? script + q.tok[i].start : "");
		return NULL;
	}
	retarget_sure_qualifiers(&q, &e, from, to);
	if (!retarget_left_over(&q, &e, from, to, why))
		return NULL;
	return apply(&q, &e);
}

/*
 * The definition with each entry of its SET search_path (pg_get_functiondef
 * writes "SET search_path TO 'a', 'b'") that names a or b written as
 * replacement; only a needed.
 */
static char *
edit_search_path(const char *def, const char *a, const char *b, const char *replacement)
{
	Tokens		t;
	Edits		e;

	t = tokenize(def);
	e.with = palloc0(sizeof(char *) * Max(t.n, 1));
	for (int k = 0; k + 2 < t.n; k++)
	{
		if (!is_word(&t, k, "set") || !is_name(&t, k + 1, "search_path") ||
			!is_word(&t, k + 2, "to"))
			continue;
		for (int v = k + 3; v < t.n && t.tok[v].kind == TK_STRING; v += 2)
		{
			if (strcmp(t.tok[v].value, a) == 0 || (b && strcmp(t.tok[v].value, b) == 0))
				replace(&e, v, replacement);
			if (!is_char(&t, v + 1, ","))
				break;
		}
	}
	return apply(&t, &e);
}

char *
sql_retarget_search_path(const char *def, const char *from, const char *to)
{
	if (strstr(def, "SET search_path TO ") == NULL)
		return pstrdup(def);
	return edit_search_path(def, from, NULL, quote_literal_cstr(to));
}

char *
sql_relative_schema(const char *def, const char *own, const char *peer)
{
	Tokens		t;
	Edits		e;
	char	   *text = (char *) def;

	if (strstr(text, "SET search_path TO ") != NULL)
		text = edit_search_path(text, own, peer, "<this schema>");
	if (strstr(text, "regnamespace") == NULL)
		return text;
	t = tokenize(text);
	e.with = palloc0(sizeof(char *) * Max(t.n, 1));
	for (int k = 0; k < t.n; k++)
		if (is_reg_literal(&t, k) &&
			(strcmp(t.tok[k].value, own) == 0 || (peer && strcmp(t.tok[k].value, peer) == 0)) &&
			is_name(&t, is_char(&t, k + 3, ".") ? k + 4 : k + 2, "regnamespace"))
			replace(&e, k, "'<this schema>'");
	return apply(&t, &e);
}

/*
 * Does text use schema as a qualifier: its name, as an identifier (in any
 * case when it needs no quotes), then a dot?  Strings and comments count:
 * a body may build SQL naming the schema.
 */
static bool
names_qualifier(const char *text, const char *schema)
{
	const char *quoted = quote_identifier(schema);
	bool		plain = strcmp(quoted, schema) == 0;
	const char *forms[2] = {quoted, plain ? psprintf("\"%s\"", schema) : NULL};

	for (int f = 0; f < 2; f++)
	{
		size_t		len;

		if (forms[f] == NULL)
			continue;
		len = strlen(forms[f]);
		for (const char *p = text; *p; p++)
		{
			const char *after = p + len;
			bool		match = (f == 0 && plain) ? pg_strncasecmp(p, forms[f], len) == 0 :
				strncmp(p, forms[f], len) == 0;

			if (!match)
				continue;
			/* a word of its own: not the end of a longer name */
			if (p > text && (isalnum((unsigned char) p[-1]) || p[-1] == '_' ||
							 p[-1] == '$' || p[-1] == '.' || IS_HIGHBIT_SET(p[-1])))
				continue;
			while (*after == ' ' || *after == '\t' || *after == '\n' || *after == '\r')
				after++;
			if (*after == '.')
				return true;
		}
	}
	return false;
}

bool
sql_body_names_schema(const char *def, const char *schema)
{
	Tokens		t = tokenize(def);
	int			depth = 0;

	/* the body: the strings after the last AS outside parentheses */
	for (int k = t.n - 1; k >= 0; k--)
	{
		if (is_char(&t, k, ")"))
			depth++;
		else if (is_char(&t, k, "("))
			depth--;
		else if (depth == 0 && is_word(&t, k, "as") && k + 1 < t.n &&
				 t.tok[k + 1].kind == TK_STRING)
		{
			for (int v = k + 1; v < t.n && t.tok[v].kind == TK_STRING; v += 2)
			{
				if (names_qualifier(t.tok[v].value, schema))
					return true;
				if (!is_char(&t, v + 1, ","))
					break;
			}
			return false;
		}
	}
	return false;
}
