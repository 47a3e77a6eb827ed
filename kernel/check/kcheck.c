/*
 * The invariant checker's driver (docs/invariants.md): when to check what,
 * the slots an entry touched, the root task's boot-time mappings, the
 * counts, and the stop with a report on a violation.
 *
 * State is per cluster (in its .data/.bss) and changes only under the
 * cluster's kernel lock; the counts of all clusters sit in .kshared, one
 * cache line per cluster, each written only by its own cluster, so that
 * the cluster that ends a run can print the total.
 */
#include "arch/arch.h"
#include "arch/vspace.h"
#include "arch/vswalk.h"
#include "console.h"
#include "entry.h"
#include "kc.h"
#include "kernel.h"
#include "kobj.h"
#include "kstring.h"
#include "panic.h"
#include "printf.h"
#include "roottask.h"
#include "sched.h"
#include "smp.h"

#define TOUCH_MAX 16           /* slots remembered per entry */
#define INDEX_CAP INDEX_CAP_MAX /* capabilities the full check can index */
#define DEFAULT_EVERY 64       /* kcheck=on: a full check every this many entries */
#define PRINT_MAX 12           /* violations printed per check */

/* Per cluster (copied .bss): set at the cluster's boot (kcheck_init),
 * read-only after; read by the entry code. */
bool kcheck_on;

/* A slot the entry looked up, as it was then. */
struct touch {
	struct cte *s;
	struct cap cap;
	struct cte *prev;
	bool final;   /* the last capability to its object then */
};

/* A mapping the boot code made for the root task without a capability. */
struct boot_map {
	uint64_t key; /* va | (3 - level): sorted as the walk meets them */
	paddr_t pa;
};

static struct {
	bool ready;
	bool busy;            /* a check is running (a violation inside one must not recurse) */
	bool stopped;         /* a violation is stopping the run (panic ends it) */
	uint8_t mode;
	uint32_t every, since_full;
	uint64_t entries, fulls, violations;
	struct touch touched[TOUCH_MAX];
	uint32_t ntouched;
	struct tcb *last[MAX_CORES]; /* per core: the thread it last returned to */
	struct kc_index x;
	struct boot_map *boot;
	uint32_t nboot;
	paddr_t boot_root;
	uint32_t largest;     /* most capabilities seen in a full check */
	uint64_t incomplete;  /* full checks that found more than the index holds */
	uint64_t first_tsc, tsc[2]; /* when the first check ran; time in entry, full checks */
} st; /* per cluster (copied .bss): under the kernel lock */

/* Shared by all clusters (.kshared): cluster c writes only counts[c]
 * (relaxed atomics); the summary reads them all. */
static struct kcheck_counts {
	uint64_t entries, fulls, violations;
} __attribute__((aligned(64))) counts[MAX_CLUSTERS] KSHARED;

static const char *const inv_names[KINV_COUNT] = {
#define X(id, name) [KINV_##id] = name,
	KCHECK_INVARIANTS(X)
#undef X
};

const char *kcheck_inv_name(enum kcheck_inv inv)
{
	return (unsigned)inv < KINV_COUNT ? inv_names[inv] : "?";
}

bool kc_fail(struct kc *k, enum kcheck_inv inv, const char *fmt, ...)
{
	struct kcheck_report *r = k->r;
	char text[sizeof(r->text)];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!r->violations) {
		r->first = (int)inv;
		memcpy(r->text, text, sizeof(text));
	}
	r->violations++;
	r->mask |= 1u << inv;
	if (!k->quiet && k->printed++ < PRINT_MAX)
		kprintf("kcheck: VIOLATION %s: %s\n", inv_names[inv], text);
	return false;
}

/* --- boot --- */

uint64_t kc_index_layout(struct kc_index *x, void *mem, uint32_t cap)
{
	uintptr_t p = (uintptr_t)mem;
#define CARVE(field, n) (x->field = (void *)p, p += ALIGN_UP((uint64_t)(n) * sizeof(*x->field), 64))
	CARVE(nodes, cap);
	CARVE(parent, cap);
	CARVE(send, cap);
	CARVE(stack, cap);
	CARVE(keys, cap);
	CARVE(ents, cap);
	CARVE(objs, cap);
	CARVE(mark, cap);
#undef CARVE
	x->cap = cap;
	return p - (uintptr_t)mem;
}

static bool count_visit(void *ctx, const struct vs_entry *e)
{
	(void)e;
	++*(uint32_t *)ctx;
	return true;
}

/* Whether a boot capability (the IPC buffer, the boot information) records
 * this leaf: those are checked as frames, not as boot mappings. */
static bool boot_cap_records(const struct vs_entry *e)
{
	for (struct cte *s = mdb_next(roottask_cdt_head()); s; s = mdb_next(s))
		if (kc_is_frame(cap_type(s->cap)) && cap_map_asid(s->cap) && cap_map_vaddr(s->cap) == e->va)
			return true;
	return false;
}

static bool fill_visit(void *ctx, const struct vs_entry *e)
{
	(void)ctx;
	if (e->leaf && boot_cap_records(e))
		return false;
	st.boot[st.nboot++] = (struct boot_map){ e->va | (uint64_t)(PT_LEVEL_PML4 - e->level), e->target };
	return true;
}

void kcheck_init(struct kernel_boot *kb, paddr_t root_pml4, bool force)
{
	uint32_t cap = INDEX_CAP, n = 0;
	uint64_t bytes;
	paddr_t pa;

	if (kb->opts.kcheck == KCHECK_MODE_OFF && !force)
		return;
	while (cap > 1024 && kc_index_layout(&st.x, NULL, cap) > cluster.part.bytes / 16)
		cap /= 2; /* small partitions: a smaller index */
	bytes = ALIGN_UP(kc_index_layout(&st.x, NULL, cap), PAGE_SIZE);
	vspace_walk_user(phys_to_virt(root_pml4), count_visit, &n);
	pa = bootmem_alloc(&kb->bm, bytes + ALIGN_UP((uint64_t)n * sizeof(struct boot_map) + 1, PAGE_SIZE),
			   PAGE_SIZE, ~0ull);
	if (!pa)
		panic("kcheck: no boot memory for the checker's index (%llu KiB)", (unsigned long long)(bytes >> 10));
	kc_index_layout(&st.x, phys_to_virt(pa), cap);
	st.boot = phys_to_virt(pa + bytes);
	st.boot_root = root_pml4;
	vspace_walk_user(phys_to_virt(root_pml4), fill_visit, NULL);
	st.mode = kb->opts.kcheck;
	st.every = st.mode == KCHECK_MODE_FULL ? 1 : kb->opts.kcheck_every ? kb->opts.kcheck_every : DEFAULT_EVERY;
	st.ready = true;
	kcheck_on = st.mode != KCHECK_MODE_OFF;
	if (kcheck_on)
		kernel_exit_checks_on();
	if (kcheck_on && cluster.id == 0)
		kprintf("kcheck: %s; a full check every %u entr%s, index of %u capabilities\n",
			st.mode == KCHECK_MODE_FULL ? "full" : "on", st.every, st.every == 1 ? "y" : "ies", cap);
}

bool kc_boot_mapping(paddr_t pml4, vaddr_t va, int level, paddr_t target)
{
	uint64_t key = va | (uint64_t)(PT_LEVEL_PML4 - level);
	int lo = 0, hi = (int)st.nboot - 1;

	if (pml4 != st.boot_root)
		return false;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (st.boot[mid].key == key)
			return st.boot[mid].pa == target;
		if (st.boot[mid].key < key)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

/* --- what an entry touched --- */

void kcheck_touch_slow(struct cte *s)
{
	if (!st.ready)
		return;
	for (uint32_t i = 0; i < st.ntouched; i++)
		if (st.touched[i].s == s)
			return; /* the first look is the state before the entry */
	if (st.ntouched < TOUCH_MAX)
		st.touched[st.ntouched++] = (struct touch){ s, s->cap, mdb_prev(s), !cap_is_null(s->cap) && cdt_is_final(s) };
}

void kcheck_forget_tcb(struct tcb *t)
{
	for (uint32_t i = 0; i < MAX_CORES; i++)
		if (st.last[i] == t)
			st.last[i] = NULL;
}

/* The capability of a touched slot left it (deleted, moved, mutated). If
 * it recorded a mapping whose entry still maps its object, a capability
 * must still record it: the one it moved to (its old predecessor's
 * successor); else the entry is stale if the capability was a frame's
 * (each frame capability records its own mapping) or the last one to a
 * paging structure (its copies share the record). */
static void gone_local(struct kc *k, const struct touch *t)
{
	struct vs_entry e;
	struct cte *n = NULL;

	if (!kc_recorded_entry(t->cap, &e))
		return;
	if (t->prev && (t->prev == roottask_cdt_head() || kc_kptr_ok(t->prev, sizeof(struct cte))))
		n = mdb_next(t->prev);
	if (n && (n == roottask_cdt_head() || !kc_kptr_ok(n, sizeof(*n))))
		n = NULL;
	if (n && cap_same_object(n->cap, t->cap)) {
		if (n->cap.w1 != t->cap.w1)
			kc_fail(k, kc_is_frame(cap_type(t->cap)) ? KINV_VSPACE_FRAME : KINV_VSPACE_TABLE,
				"the capability to %#llx moved from slot %#llx to slot %#llx and lost its mapping record "
				"(ASID %u va %#llx), which is still in place",
				(unsigned long long)cap_paddr(t->cap), (unsigned long long)kc_pa(t->s),
				(unsigned long long)kc_pa(n), cap_map_asid(t->cap),
				(unsigned long long)cap_map_vaddr(t->cap));
		return;
	}
	if (!kc_is_frame(cap_type(t->cap)) && !t->final)
		return;
	kc_fail(k, kc_is_frame(cap_type(t->cap)) ? KINV_VSPACE_FRAME : KINV_VSPACE_TABLE,
		"the capability to %#llx that recorded ASID %u va %#llx left slot %#llx, but the entry still maps it",
		(unsigned long long)cap_paddr(t->cap), cap_map_asid(t->cap), (unsigned long long)cap_map_vaddr(t->cap),
		(unsigned long long)kc_pa(t->s));
}

static void entry_check(struct kc *k)
{
	struct core *c = this_core();

	kc_sched_local(k);
	if (c->current)
		kc_tcb_local(k, c->current);
	if (st.last[c->index] && st.last[c->index] != c->current)
		kc_tcb_local(k, st.last[c->index]);
	for (uint32_t i = 0; i < st.ntouched; i++) {
		struct touch *t = &st.touched[i];
		if (!cap_is_null(t->s->cap))
			kc_slot_local(k, t->s);
		if (!cap_same_object(t->s->cap, t->cap))
			gone_local(k, t);
	}
}

static void full_check(struct kc *k)
{
	kc_cdt_full(k, &st.x);
	if (st.x.n > st.largest)
		st.largest = st.x.n;
	if (k->r->mask & (1u << KINV_CDT_LINKS))
		return; /* without the list there is no index to look objects up in */
	if (st.x.incomplete) {
		k->r->incomplete = true;
		st.incomplete++;
		return;
	}
	kc_vspace_full(k, &st.x);
	kc_threads_full(k, &st.x);
}

static bool run(enum kcheck_scope scope, struct kcheck_report *r, bool quiet)
{
	struct kc k = { r, quiet, 0 };

	*r = (struct kcheck_report){ .first = -1 };
	if (!st.ready) {
		r->incomplete = true;
		return true;
	}
	st.busy = true;
	if (scope == KCHECK_FULL)
		full_check(&k);
	else
		entry_check(&k);
	st.busy = false;
	return r->violations == 0;
}

bool kcheck_run(enum kcheck_scope scope, struct kcheck_report *r)
{
	bool ok = run(scope, r, true);

	if (scope == KCHECK_ENTRY)
		st.ntouched = 0;
	return ok;
}

static void publish(void)
{
	struct kcheck_counts *c = &counts[cluster.id];

	__atomic_store_n(&c->entries, st.entries, __ATOMIC_RELAXED);
	__atomic_store_n(&c->fulls, st.fulls, __ATOMIC_RELAXED);
	__atomic_store_n(&c->violations, st.violations, __ATOMIC_RELAXED);
}

static void summary(void)
{
	uint64_t e = 0, f = 0, v = 0;

	for (uint32_t i = 0; i < cluster.count && i < MAX_CLUSTERS; i++) {
		e += __atomic_load_n(&counts[i].entries, __ATOMIC_RELAXED);
		f += __atomic_load_n(&counts[i].fulls, __ATOMIC_RELAXED);
		v += __atomic_load_n(&counts[i].violations, __ATOMIC_RELAXED);
	}
	kprintf("kcheck: %llu entry checks, %llu full checks, %llu violations\n", (unsigned long long)e,
		(unsigned long long)f, (unsigned long long)v);
}

/* A violation: say where, count it, and stop the run. */
static NORETURN void stop(const struct kcheck_report *r, bool full)
{
	struct core *c = this_core();
	struct tcb *in = st.last[c->index], *now = c->current;

	st.stopped = true;
	st.violations += r->violations;
	publish();
	kprintf("kcheck: %s check after kernel entry %llu (cluster %u, core %u) found %u violation%s; entered by %s%s%s, "
		"returning to %s%s%s\n",
		full ? "full" : "entry", (unsigned long long)st.entries, cluster.id, c->index, r->violations,
		r->violations == 1 ? "" : "s", in ? "'" : "", in ? in->name : "no thread", in ? "'" : "",
		now ? "'" : "", now ? now->name : "no thread", now ? "'" : "");
	for (uint32_t i = 0; i < st.ntouched; i++) {
		char b[KC_STR];
		kprintf("kcheck:   the entry looked up slot %#llx, which held %s\n",
			(unsigned long long)kc_pa(st.touched[i].s), kc_cap_str(st.touched[i].cap, b, sizeof(b)));
	}
	summary();
	panic("kcheck: invariant %s violated: %s", kcheck_inv_name((enum kcheck_inv)r->first), r->text);
}

static void check_now(void)
{
	struct kcheck_report r;
	bool full;

	uint64_t t0 = arch_timestamp();

	if (!st.ready || st.busy || st.stopped)
		return;
	if (!st.first_tsc)
		st.first_tsc = t0;
	st.entries++;
	full = ++st.since_full >= st.every;
	if (full) {
		st.since_full = 0;
		st.fulls++;
	}
	run(full ? KCHECK_FULL : KCHECK_ENTRY, &r, false);
	if (r.violations)
		stop(&r, full);
	st.ntouched = 0;
	st.tsc[full] += arch_timestamp() - t0;
	if ((st.entries & 63) == 0 || full)
		publish();
}

void kcheck_after_entry(void)
{
	struct core *c = this_core();

	check_now();
	st.last[c->index] = c->current;
}

/* Once per entry that ends in idle: later turns of the idle loop (woken by
 * a tick or a request with nothing to run) have nothing new to check. */
void kcheck_before_idle(void)
{
	struct core *c = this_core();

	if (kcheck_on && (st.last[c->index] || st.ntouched)) {
		check_now();
		st.last[c->index] = NULL;
	}
}

void kcheck_finish(void)
{
	struct kcheck_report r;

	if (!kcheck_on || !st.ready || st.stopped)
		return;
	st.fulls++;
	if (!run(KCHECK_FULL, &r, false))
		stop(&r, true);
	publish();
	if (st.largest)
		kprintf("kcheck: largest derivation list seen: %u capabilities\n", st.largest);
	if (st.first_tsc) {
		uint64_t all = arch_timestamp() - st.first_tsc + 1;
		kprintf("kcheck: cluster %u spent %llu%% of its time since the first check in entry checks, %llu%% in full checks\n",
			cluster.id, (unsigned long long)(st.tsc[0] * 100 / all), (unsigned long long)(st.tsc[1] * 100 / all));
	}
	if (st.incomplete)
		kprintf("kcheck: %llu full checks were incomplete: more than %u capabilities\n",
			(unsigned long long)st.incomplete, st.x.cap);
	summary();
}
