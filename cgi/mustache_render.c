/* mustache_render.c - walking a compiled op array against a jansson value.
 *
 * The context stack, the indentation chain and the inheritance frames are
 * linked lists on the C stack, so rendering allocates nothing but the
 * output buffer's growth. Recursion is bounded: section nesting by the
 * compiler, partial/parent/block expansion by max_partial_depth, and the
 * total work by a step budget derived from max_output. */
#include "mustache_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctx {
	json_t *v;
	const struct ctx *up;
};

struct ind {
	const char *s;
	size_t n;
	const struct ind *up;
};

struct frame {
	const struct mus_tmpl *t;
	uint32_t b, e; /* the parent tag's body: its block overrides */
	const struct frame *up;
};

struct rs {
	const struct mus_set *set;
	struct buf *out;
	size_t start, max_output;
	unsigned long long steps;
	struct mus_error *err;
	enum res rc;
};

static void render(struct rs *r, const struct mus_tmpl *t, uint32_t b, uint32_t e,
                   const struct ctx *c, const struct ind *in, const struct frame *fr, int depth);

/* buf_append() with the common case (room left) inlined. */
static inline void app(struct buf *b, const char *p, size_t n)
{
	if (n < b->cap - b->len && !b->oom) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
	} else {
		buf_append(b, p, n);
	}
}

static void put_indent(struct rs *r, const struct ind *in)
{
	if (in == NULL)
		return;
	put_indent(r, in->up);
	app(r->out, in->s, in->n);
}

/* One step of a dotted name: an object member, or (an extension the portal
 * uses, as mustache.js does) an array element for an all-digit segment, so
 * {{#rows.0}}<table>...{{/rows.0}} renders the table only when rows exist. */
static json_t *name_step(json_t *v, const struct mus_seg *seg)
{
	size_t k, idx = 0;

	if (json_is_object(v))
		return json_object_getn(v, seg->s, seg->n);
	if (!json_is_array(v) || seg->n == 0 || seg->n > 9)
		return NULL;
	for (k = 0; k < seg->n; k++) {
		if (seg->s[k] < '0' || seg->s[k] > '9')
			return NULL;
		idx = idx * 10 + (size_t)(seg->s[k] - '0');
	}
	return json_array_get(v, idx);
}

static json_t *lookup(const struct mus_tmpl *t, const struct mus_op *op, const struct ctx *c)
{
	const struct mus_seg *seg = t->segs + op->seg;
	json_t *v = NULL;
	unsigned i;

	if (op->nseg == 0)
		return c ? c->v : NULL;
	for (; c; c = c->up) {
		if (json_is_object(c->v) && (v = json_object_getn(c->v, seg[0].s, seg[0].n)) != NULL)
			break;
	}
	for (i = 1; v && i < op->nseg; i++)
		v = name_step(v, &seg[i]);
	return v;
}

static int falsy(const json_t *v)
{
	if (v == NULL)
		return 1;
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE: return 1;
	case JSON_ARRAY: return json_array_size(v) == 0;
	case JSON_STRING: return json_string_length(v) == 0;
	default: return 0;
	}
}

/* Bytes that buf_html() rewrites; strings without any are copied as is. */
#define ESC_CHARS "&<>\"'`="

static void put_escaped(struct buf *b, const char *s, size_t n)
{
	size_t i;

	/* strcspn is vectorised in glibc; jansson strings end with a NUL and
	 * may hold embedded ones, which we step over */
	i = strcspn(s, ESC_CHARS);
	while (i < n && s[i] == '\0')
		i += 1 + strcspn(s + i + 1, ESC_CHARS);
	app(b, s, i); /* the clean prefix in one copy */
	if (i < n)
		buf_html(b, s + i, n - i);
}

static void put_int(struct buf *b, json_int_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	app(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void put_value(struct rs *r, const json_t *v, int esc)
{
	char tmp[64];
	int n, prec;
	double d;

	if (v == NULL)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING:
		if (esc)
			put_escaped(r->out, json_string_value(v), json_string_length(v));
		else
			app(r->out, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER:
		put_int(r->out, json_integer_value(v));
		return;
	case JSON_REAL:
		/* shortest form that reads back to the same double (1.21, 1.5) */
		d = json_real_value(v);
		n = 0;
		for (prec = 15; prec <= 17; prec++) {
			n = snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
			if (strtod(tmp, NULL) == d)
				break;
		}
		app(r->out, tmp, (size_t)n);
		return;
	case JSON_TRUE: app(r->out, "true", 4); return;
	case JSON_FALSE: app(r->out, "false", 5); return;
	default: return; /* null, objects and arrays print nothing */
	}
}

static void put_text(struct rs *r, const struct mus_op *op, const struct ind *in)
{
	const char *p = op->text, *end = op->text + op->len, *nl;

	if (in == NULL) {
		app(r->out, p, op->len);
		return;
	}
	if (op->bol)
		put_indent(r, in);
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL && nl + 1 < end) {
		app(r->out, p, (size_t)(nl + 1 - p));
		put_indent(r, in);
		p = nl + 1;
	}
	app(r->out, p, (size_t)(end - p));
}

static void rfail(struct rs *r, enum res rc, const struct mus_tmpl *t, const struct mus_op *op,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void rfail(struct rs *r, enum res rc, const struct mus_tmpl *t, const struct mus_op *op,
                  const char *fmt, ...)
{
	va_list ap;

	if (r->rc != R_SUCCESS)
		return;
	r->rc = rc;
	if (r->err) {
		mus_set_err(r->err, t->name, op->line, op->col, "%s", "");
		va_start(ap, fmt);
		vsnprintf(r->err->msg, sizeof(r->err->msg), fmt, ap);
		va_end(ap);
	}
}

/* Count one unit of work; 0 (and an error) once the budget is spent, so
 * nested loops that print nothing still end. */
static int step(struct rs *r, const struct mus_tmpl *t, const struct mus_op *op)
{
	if (r->steps > 0 && --r->steps > 0)
		return 1;
	rfail(r, R_TOO_LARGE, t, op, "render took more than %llu steps",
	      (unsigned long long)r->max_output * 8 + 1000000);
	return 0;
}

/* The template a partial/parent op names, or NULL (renders as empty). */
static const struct mus_tmpl *resolve(const struct rs *r, const struct mus_tmpl *t,
                                      const struct mus_op *op, const struct ctx *c)
{
	int32_t k;

	if (!op->dynamic)
		return r->set->slots[op->slot].t;
	if (op->nseg == 0) {
		json_t *v = c ? c->v : NULL;
		if (!json_is_string(v))
			return NULL;
		k = mus_find(r->set, json_string_value(v), json_string_length(v));
	} else {
		json_t *v = lookup(t, op, c);
		if (!json_is_string(v))
			return NULL;
		k = mus_find(r->set, json_string_value(v), json_string_length(v));
	}
	return k >= 0 ? r->set->slots[k].t : NULL;
}

static int depth_ok(struct rs *r, const struct mus_tmpl *t, const struct mus_op *op, int depth)
{
	if (depth >= r->set->lim.max_partial_depth) {
		rfail(r, R_TOO_LARGE, t, op, "partials/parents nested deeper than %d (recursion?)",
		      r->set->lim.max_partial_depth);
		return 0;
	}
	return 1;
}

static void render(struct rs *r, const struct mus_tmpl *t, uint32_t b, uint32_t e,
                   const struct ctx *c, const struct ind *in, const struct frame *fr, int depth)
{
	uint32_t i = b;

	while (i < e && r->rc == R_SUCCESS) {
		const struct mus_op *op = &t->ops[i];
		json_t *v;

		if (r->out->len - r->start > r->max_output) {
			rfail(r, R_TOO_LARGE, t, op, "output larger than %zu bytes", r->max_output);
			return;
		}
		if (!step(r, t, op))
			return;
		switch ((enum mus_op_kind)op->kind) {
		case MOP_TEXT:
			put_text(r, op, in);
			i++;
			break;
		case MOP_INDENT:
			put_indent(r, in);
			i++;
			break;
		case MOP_VAR:
		case MOP_RAW:
			put_value(r, lookup(t, op, c), op->kind == MOP_VAR);
			i++;
			break;
		case MOP_SECTION:
			v = lookup(t, op, c);
			if (!falsy(v)) {
				struct ctx c2 = {v, c};
				if (json_is_array(v)) {
					size_t k, n = json_array_size(v);
					for (k = 0; k < n && r->rc == R_SUCCESS && step(r, t, op); k++) {
						c2.v = json_array_get(v, k);
						render(r, t, i + 1, op->end, &c2, in, fr, depth);
					}
				} else {
					render(r, t, i + 1, op->end, &c2, in, fr, depth);
				}
			}
			i = op->end;
			break;
		case MOP_INVERTED:
			if (falsy(lookup(t, op, c)))
				render(r, t, i + 1, op->end, c, in, fr, depth);
			i = op->end;
			break;
		case MOP_PARTIAL:
		case MOP_PARENT: {
			const struct mus_tmpl *pt = resolve(r, t, op, c);
			struct ind in2 = {op->text, op->len, in};
			struct frame f2 = {t, i + 1, op->end, fr};

			if (pt != NULL && depth_ok(r, t, op, depth))
				render(r, pt, 0, pt->nops, c, op->len ? &in2 : in,
				       op->kind == MOP_PARENT ? &f2 : fr, depth + 1);
			i = op->kind == MOP_PARENT ? op->end : i + 1;
			break;
		}
		case MOP_BLOCK: {
			const struct frame *f, *hit_f = NULL;
			uint32_t hit = 0, j;
			struct ind in2 = {op->text, op->len, in};

			/* the outermost override wins */
			for (f = fr; f; f = f->up) {
				for (j = f->b; j < f->e;) {
					const struct mus_op *o = &f->t->ops[j];
					if (o->kind == MOP_BLOCK && strcmp(o->name, op->name) == 0) {
						hit_f = f;
						hit = j;
					}
					j = (o->kind >= MOP_SECTION && o->kind != MOP_PARTIAL) ? o->end : j + 1;
				}
			}
			if (hit_f == NULL)
				render(r, t, i + 1, op->end, c, op->len ? &in2 : in, fr, depth);
			else if (depth_ok(r, t, op, depth))
				render(r, hit_f->t, hit + 1, hit_f->t->ops[hit].end, c, op->len ? &in2 : in, fr,
				       depth + 1);
			i = op->end;
			break;
		}
		}
	}
}

enum res mus_render(const struct mus_set *set, const char *name, json_t *ctx, struct buf *out,
                    struct mus_error *err)
{
	int32_t k = mus_find(set, name, strlen(name));
	const struct mus_tmpl *t = k >= 0 ? set->slots[k].t : NULL;
	struct ctx root = {ctx, NULL};
	struct rs r;

	if (t == NULL) {
		mus_set_err(err, name, 0, 0, "template \"%s\" not found", name);
		return R_NOT_FOUND;
	}
	r.set = set;
	r.out = out;
	r.start = out->len;
	r.max_output = set->lim.max_output;
	r.steps = (unsigned long long)set->lim.max_output * 8 + 1000000;
	r.err = err;
	r.rc = R_SUCCESS;
	render(&r, t, 0, t->nops, ctx ? &root : NULL, NULL, NULL, 0);
	if (r.rc == R_SUCCESS && out->len - r.start > r.max_output)
		rfail(&r, R_TOO_LARGE, t, &t->ops[t->nops ? t->nops - 1 : 0], "output larger than %zu bytes",
		      r.max_output);
	if (r.rc == R_SUCCESS && !buf_ok(out)) {
		mus_set_err(err, name, 0, 0, "out of memory");
		r.rc = R_INTERNAL;
	}
	return r.rc;
}
