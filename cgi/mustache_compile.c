/* mustache_compile.c - the compiler: template source -> op array.
 *
 * The parser walks the source line by line. At each line start it looks
 * ahead over the line ("prescan") to decide whether the line is standalone:
 * nothing but whitespace and non-output tags. Standalone lines lose their
 * indentation and line ending; a standalone partial/parent keeps the
 * indentation as the indentation of what it expands. See docs/mustache.md
 * for the inheritance indentation rules. */
#include "mustache_int.h"
#include "mustache_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compile(struct pstate *ps);

static void linecol(struct pstate *ps, size_t pos, int *line, int *col)
{
	if (pos < ps->lc_pos) { /* rare: restart */
		ps->lc_pos = 0;
		ps->lc_line = 1;
		ps->lc_bol = 0;
	}
	for (; ps->lc_pos < pos && ps->lc_pos < ps->n; ps->lc_pos++) {
		if (ps->s[ps->lc_pos] == '\n') {
			ps->lc_line++;
			ps->lc_bol = ps->lc_pos + 1;
		}
	}
	*line = ps->lc_line;
	*col = (int)(pos - ps->lc_bol) + 1;
}

static int fail(struct pstate *ps, enum res rc, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct pstate *ps, enum res rc, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int line, col;

	linecol(ps, pos, &line, &col);
	if (ps->err) {
		snprintf(ps->err->name, sizeof(ps->err->name), "%s", ps->tname);
		ps->err->line = line;
		ps->err->col = col;
		va_start(ap, fmt);
		vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
		va_end(ap);
	}
	ps->rc = rc;
	return -1;
}

enum res mus_set_add(struct mus_set *set, const char *name, const char *src, size_t len,
                     struct mus_error *err)
{
	struct pstate ps;
	struct mus_tmpl *t = NULL;
	int32_t k;
	enum res rc = R_INTERNAL;

	memset(&ps, 0, sizeof(ps));
	ps.set = set;
	ps.tname = name;
	ps.n = len;
	ps.err = err;
	ps.rc = R_SUCCESS;
	ps.lc_line = 1;
	ps.maxdepth = set->lim.max_nesting;
	if (len > ((size_t)1 << 30)) { /* op indices and line numbers stay in range */
		mus_set_err(err, name, 1, 1, "template larger than 1 GiB");
		return R_TOO_LARGE;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		goto out;
	t->name = strdup(name);
	t->src = malloc(len + 1);
	ps.capstrs = 2 * len + 64;
	ps.strs = malloc(ps.capstrs);
	ps.segs = malloc((len + 2) * sizeof(*ps.segs));
	ps.stack = malloc(((size_t)ps.maxdepth + 1) * sizeof(*ps.stack));
	if (!t->name || !t->src || !ps.strs || !ps.segs || !ps.stack)
		goto out;
	if (len)
		memcpy(t->src, src, len);
	t->src[len] = '\0';
	ps.s = t->src;
	if (compile(&ps) != 0) {
		rc = ps.rc;
		goto out;
	}
	k = mus_slot_get(set, name, strlen(name));
	if (k < 0)
		goto out;
	t->ops = ps.ops;
	t->nops = ps.nops;
	t->strs = ps.strs;
	t->segs = ps.segs;
	ps.ops = NULL;
	ps.strs = NULL;
	ps.segs = NULL;
	if (t->nops == 0) { /* keep a valid pointer for empty templates */
		t->ops = calloc(1, sizeof(*t->ops));
		if (t->ops == NULL)
			goto out;
	}
	mus_tmpl_free(set->slots[k].t);
	set->slots[k].t = t;
	t = NULL;
	rc = R_SUCCESS;
out:
	if (rc == R_INTERNAL)
		mus_set_err(err, name, 0, 0, "out of memory");
	free(ps.ops);
	free(ps.strs);
	free(ps.segs);
	free(ps.stack);
	mus_tmpl_free(t);
	return rc;
}

/* ---- compiler --------------------------------------------------------------- */

static struct mus_op *new_op(struct pstate *ps, enum mus_op_kind kind, size_t pos)
{
	struct mus_op *op;

	if (ps->nops == ps->capops) {
		uint32_t cap = ps->capops ? ps->capops * 2 : 32;
		struct mus_op *p = realloc(ps->ops, cap * sizeof(*p));
		if (p == NULL) {
			ps->rc = R_INTERNAL;
			return NULL;
		}
		ps->ops = p;
		ps->capops = cap;
	}
	op = &ps->ops[ps->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = (uint8_t)kind;
	op->slot = -1;
	linecol(ps, pos, &op->line, &op->col);
	return op;
}

static const struct open *top(const struct pstate *ps)
{
	return ps->depth ? &ps->stack[ps->depth - 1] : NULL;
}

static int in_parent_body(const struct pstate *ps)
{
	const struct open *o = top(ps);
	return o && o->kind == T_PARENT;
}

/* Append source text [from, to) as text ops, stripping the enclosing
 * block's intrinsic indentation at line starts. */
static int emit_text(struct pstate *ps, size_t from, size_t to)
{
	const struct open *o = top(ps);
	const char *strip = o ? o->strip : NULL;
	size_t nstrip = o ? o->nstrip : 0;

	if (in_parent_body(ps))
		return 0;
	while (from < to) {
		size_t end = to, k;
		struct mus_op *prev, *op;
		int bol = from == 0 || ps->s[from - 1] == '\n';

		if (nstrip) {
			const char *nl = memchr(ps->s + from, '\n', to - from);
			if (nl)
				end = (size_t)(nl - ps->s) + 1;
			if (bol) {
				for (k = 0; k < nstrip && from < end && ps->s[from] == strip[k]; k++)
					from++;
				if (from == end && end == to) /* a tag follows the stripped indentation */
					return new_op(ps, MOP_INDENT, from) ? 0 : -1;
			}
		}
		if (from < end) {
			prev = ps->nops ? &ps->ops[ps->nops - 1] : NULL;
			/* contiguous text merges: interior line starts are indented
			 * by the renderer after each inner newline */
			if (prev && prev->kind == MOP_TEXT && prev->text + prev->len == ps->s + from &&
			    (!bol || !nstrip)) {
				prev->len += end - from;
			} else {
				op = new_op(ps, MOP_TEXT, from);
				if (op == NULL)
					return -1;
				op->text = ps->s + from;
				op->len = end - from;
				op->bol = (uint8_t)bol;
			}
		}
		from = end;
	}
	return 0;
}

static char *put_str(struct pstate *ps, const char *p, size_t n)
{
	char *d = ps->strs + ps->nstrs;

	memcpy(d, p, n);
	d[n] = '\0';
	ps->nstrs += n + 1;
	return d;
}

/* Validate a name and fill op->name and the dotted segments. */
static int set_name(struct pstate *ps, struct mus_op *op, const struct tag *tg, int dotted)
{
	size_t a = tg->nstart, b = tg->nend, i;
	char *d;

	if (op->kind == MOP_PARTIAL || op->kind == MOP_PARENT) {
		if (a < b && ps->s[a] == '*') {
			op->dynamic = 1;
			a++;
			while (a < b && mus_is_ws(ps->s[a]))
				a++;
			dotted = 1;
		}
	}
	if (a == b)
		return fail(ps, R_BAD_INPUT, tg->start, "empty tag name");
	for (i = a; i < b; i++)
		if (mus_is_ws(ps->s[i]) || ps->s[i] == '\n' || ps->s[i] == '\r')
			return fail(ps, R_BAD_INPUT, tg->start, "tag name \"%.*s\" contains whitespace",
			            (int)(b - a), ps->s + a);
	op->name = put_str(ps, ps->s + a, b - a);
	if (!dotted)
		return 0;
	if (b - a == 1 && ps->s[a] == '.') {
		op->nseg = 0;
		return 0;
	}
	d = put_str(ps, ps->s + a, b - a);
	op->seg = ps->nsegs;
	ps->segs[ps->nsegs++].s = d;
	op->nseg = 1;
	for (i = 0; i < b - a; i++) {
		if (d[i] != '.')
			continue;
		if (i == 0 || i + 1 == b - a || d[i + 1] == '.')
			return fail(ps, R_BAD_INPUT, tg->start, "bad dotted name \"%s\"", op->name);
		if (op->nseg == 255)
			return fail(ps, R_BAD_INPUT, tg->start, "dotted name \"%s\" too long", op->name);
		d[i] = '\0';
		ps->segs[ps->nsegs++].s = d + i + 1;
		op->nseg++;
	}
	for (i = op->seg; i < op->seg + op->nseg; i++)
		ps->segs[i].n = strlen(ps->segs[i].s);
	return 0;
}

static int open_section(struct pstate *ps, enum mus_op_kind kind, const struct tag *tg, struct mus_op **opp)
{
	struct mus_op *op;
	struct open *o;

	if (ps->depth >= ps->maxdepth)
		return fail(ps, R_TOO_LARGE, tg->start, "sections nested deeper than %d", ps->maxdepth);
	op = new_op(ps, kind, tg->start);
	if (op == NULL)
		return -1;
	o = &ps->stack[ps->depth];
	o->op = ps->nops - 1;
	o->kind = tg->kind;
	o->name = ps->s + tg->nstart;
	o->nlen = tg->nend - tg->nstart;
	o->pos = tg->start;
	o->strip = ps->depth ? ps->stack[ps->depth - 1].strip : NULL;
	o->nstrip = ps->depth ? ps->stack[ps->depth - 1].nstrip : 0;
	ps->depth++;
	*opp = op;
	return 0;
}

static const char *kind_word(enum tag_kind k)
{
	switch (k) {
	case T_PARENT: return "parent";
	case T_BLOCK: return "block";
	case T_INVERTED: return "inverted section";
	default: return "section";
	}
}

/* Handle one tag; *pos is advanced past it. */
static int do_tag(struct pstate *ps, const struct tag *tg)
{
	const char *s = ps->s;
	struct mus_op *op = NULL;
	int standalone = ps->mode == L_STANDALONE;
	int first_on_line = !ps->first_tag_done;
	size_t ind_a = ps->line_start, ind_b = ps->line_indent_end;

	ps->first_tag_done = 1;
	/* A tag opening a non-standalone line: the line's indentation goes here. */
	if (!standalone && ps->mode != L_PAIR_BLOCK && (tg->start == 0 || s[tg->start - 1] == '\n') &&
	    !in_parent_body(ps)) {
		if (new_op(ps, MOP_INDENT, tg->start) == NULL)
			return -1;
	}
	switch (tg->kind) {
	case T_COMMENT:
		return 0;
	case T_DELIM:
		if (mus_parse_delims(s, tg->nstart, tg->nend, ps->otag, &ps->olen, ps->ctag, &ps->clen) != 0)
			return fail(ps, R_BAD_INPUT, tg->start,
			            "bad delimiter change \"%.*s\": expected two delimiters without '=' or spaces",
			            (int)(tg->end - tg->start), s + tg->start);
		return 0;
	case T_VAR:
	case T_RAW:
		if (in_parent_body(ps))
			return 0;
		op = new_op(ps, tg->kind == T_VAR ? MOP_VAR : MOP_RAW, tg->start);
		if (op == NULL)
			return -1;
		return set_name(ps, op, tg, 1);
	case T_PARTIAL:
	case T_PARENT:
		if (tg->kind == T_PARTIAL) {
			if (in_parent_body(ps))
				return 0;
			op = new_op(ps, MOP_PARTIAL, tg->start);
			if (op == NULL)
				return -1;
		} else if (open_section(ps, MOP_PARENT, tg, &op) != 0) {
			return -1;
		}
		if (set_name(ps, op, tg, 0) != 0)
			return -1;
		if (standalone && first_on_line) {
			op->text = s + ind_a;
			op->len = ind_b - ind_a;
		}
		if (!op->dynamic) {
			int32_t k = mus_slot_get(ps->set, op->name, strlen(op->name));
			if (k < 0) {
				ps->rc = R_INTERNAL;
				return -1;
			}
			op->slot = k;
		}
		return 0;
	case T_SECTION:
	case T_INVERTED:
		if (open_section(ps, tg->kind == T_SECTION ? MOP_SECTION : MOP_INVERTED, tg, &op) != 0)
			return -1;
		return set_name(ps, op, tg, 1);
	case T_BLOCK: {
		struct open *o;
		const char *ostrip;
		size_t onstrip;

		if (open_section(ps, MOP_BLOCK, tg, &op) != 0)
			return -1;
		if (set_name(ps, op, tg, 0) != 0)
			return -1;
		o = &ps->stack[ps->depth - 1];
		ostrip = o->strip;
		onstrip = o->nstrip;
		if (ps->mode == L_PAIR_BLOCK) {
			op->text = s + ind_a;
			op->len = ind_b - ind_a;
		} else if (standalone && tg->end == ps->line_last_end) {
			/* The body starts on the next line: its first line's
			 * indentation is intrinsic, removed here and re-added
			 * wherever the block (or its override) expands. */
			size_t a = ps->line_after, b = a;
			while (b < ps->n && mus_is_ws(s[b]))
				b++;
			if (b > a && b < ps->n && s[b] != '\n' && s[b] != '\r') {
				o->strip = s + a;
				o->nstrip = b - a;
			} else if (first_on_line) {
				a = ind_a;
				b = ind_b;
			} else {
				a = b;
			}
			/* relative to the enclosing block's stripped indentation */
			if (onstrip && b - a >= onstrip && memcmp(s + a, ostrip, onstrip) == 0)
				a += onstrip;
			op->text = s + a;
			op->len = b - a;
		}
		return 0;
	}
	case T_CLOSE: {
		const struct open *o = top(ps);
		size_t nlen = tg->nend - tg->nstart;

		if (o == NULL)
			return fail(ps, R_BAD_INPUT, tg->start, "close tag \"%.*s\" with no open section",
			            (int)nlen, s + tg->nstart);
		if (o->nlen != nlen || memcmp(o->name, s + tg->nstart, nlen) != 0) {
			int line, col;
			linecol(ps, o->pos, &line, &col);
			return fail(ps, R_BAD_INPUT, tg->start,
			            "close tag \"%.*s\" does not match %s \"%.*s\" opened at %d:%d",
			            (int)nlen, s + tg->nstart, kind_word(o->kind), (int)o->nlen, o->name,
			            line, col);
		}
		ps->ops[o->op].end = ps->nops;
		ps->depth--;
		return 0;
	}
	}
	return 0;
}

static int compile(struct pstate *ps)
{
	const char *s = ps->s;
	size_t n = ps->n, pos = 0, next_tag = (size_t)-1;

	memcpy(ps->otag, "{{", 3);
	memcpy(ps->ctag, "}}", 3);
	ps->olen = ps->clen = 2;
	ps->mode = L_NORMAL;
	while (pos < n) {
		struct tag tg;
		const char *why, *t, *nl;
		size_t tpos, lend;

		if (pos == 0 || s[pos - 1] == '\n') {
			mus_prescan(ps, pos);
			ps->first_tag_done = 0;
			if (ps->mode != L_NORMAL)
				pos = ps->line_indent_end; /* indentation is not literal text */
		}
		/* the next tag, found once per run of text lines (not per line) */
		if (next_tag < pos || next_tag == (size_t)-1) {
			t = mus_find_str(s, n, pos, ps->otag, ps->olen);
			next_tag = t ? (size_t)(t - s) : n;
		}
		tpos = next_tag;
		if (ps->mode == L_NORMAL) {
			/* text up to the tag or through the end of this line */
			nl = memchr(s + pos, '\n', tpos - pos);
			if (nl) {
				lend = (size_t)(nl - s) + 1;
				if (emit_text(ps, pos, lend) != 0)
					return -1;
				pos = lend;
				continue;
			}
			if (emit_text(ps, pos, tpos) != 0)
				return -1;
		}
		/* standalone / pair lines hold only whitespace between tags */
		if (tpos >= n)
			break;
		if (mus_parse_tag(ps, ps->otag, ps->olen, ps->ctag, ps->clen, tpos, &tg, &why) != 0) {
			if (strcmp(why, "baddelim") == 0)
				return fail(ps, R_BAD_INPUT, tpos,
				            "bad delimiter change: \"%.*s=\" has no closing \"=%s\"",
				            (int)ps->olen, ps->otag, ps->ctag);
			return fail(ps, R_BAD_INPUT, tpos, "tag \"%s\" not closed by \"%s%s\"", ps->otag,
			            s[tpos + ps->olen < n ? tpos + ps->olen : tpos] == '{' ? "}" : "",
			            ps->ctag);
		}
		if (do_tag(ps, &tg) != 0)
			return -1;
		pos = tg.end;
		if (ps->mode == L_STANDALONE && pos == ps->line_last_end) {
			pos = ps->line_after;
			ps->mode = L_NORMAL;
		} else if (ps->mode == L_PAIR_BLOCK && tg.kind == T_CLOSE) {
			ps->mode = L_NORMAL;
		} else if (ps->mode != L_NORMAL) {
			while (pos < n && mus_is_ws(s[pos]))
				pos++;
		}
	}
	if (ps->depth > 0) {
		const struct open *o = top(ps);
		return fail(ps, R_BAD_INPUT, o->pos, "unclosed %s \"%.*s\" opened here", kind_word(o->kind),
		            (int)o->nlen, o->name);
	}
	return 0;
}

