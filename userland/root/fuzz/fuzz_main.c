/*
 * The fuzzer's run (docs/fuzzing.md): command line, the objects it starts
 * from, the executor thread's loop, the comparison of every result with
 * the model's prediction, the report, and the suite test around it.
 *
 * Command line: fuzz=<calls> seed=<s> [fuzz_keep=<ranges>] [fuzz_trace=1].
 * Call i draws from a generator seeded by (seed, i, cluster) alone, so a
 * subsequence of calls (fuzz_keep=0-99,105,200-210) replays the same
 * draws; what each draw builds depends on the model state it finds.
 */
#include "fuzz.h"
#include "kstring.h"

#define EXEC_AREA 0x72000000ull
#define EXEC_STACK_PAGES 8
#define EXEC_PRIO 100
#define INFRA_BITS 20
#define PRINT_VIOLATIONS 12
#define FRAME_CHECK_EVERY 64
#define PROBE_PCT 8
#define MAX_KEEP 48

struct fz_stats fz_stats;
bool fz_trace;
uint64_t fz_cur_index;

static struct {
	uint64_t n, seed;
	unsigned nkeep;
	uint64_t keep_lo[MAX_KEEP], keep_hi[MAX_KEEP];
	cptr_t done_root;
} run;

/* ---- command line ---- */

static const char *cmd_value(const char *key)
{
	const char *cmd = suite_bi->cmdline, *v = NULL;
	size_t n = strlen(key);

	for (const char *p = cmd; *p; p++)
		if ((p == cmd || p[-1] == ' ') && strncmp(p, key, n) == 0 && p[n] == '=')
			v = p + n + 1;
	return v;
}

static uint64_t parse_u64(const char **s)
{
	uint64_t x = 0;

	while (**s >= '0' && **s <= '9')
		x = x * 10 + (uint64_t)(*(*s)++ - '0');
	return x;
}

static uint64_t cmd_u64(const char *key, uint64_t dflt)
{
	const char *v = cmd_value(key);

	return v && *v >= '0' && *v <= '9' ? parse_u64(&v) : dflt;
}

/* fuzz_keep=a-b,c,...: the calls to make (all of [0, n) without it). */
static void parse_keep(void)
{
	const char *v = cmd_value("fuzz_keep");

	run.nkeep = 0;
	while (v && *v >= '0' && *v <= '9' && run.nkeep < MAX_KEEP) {
		uint64_t lo = parse_u64(&v), hi = lo;
		if (*v == '-')
			v++, hi = parse_u64(&v);
		run.keep_lo[run.nkeep] = lo;
		run.keep_hi[run.nkeep++] = hi;
		if (*v != ',')
			break;
		v++;
	}
}

static bool selected(uint64_t i)
{
	if (!cmd_value("fuzz_keep"))
		return true;
	for (unsigned k = 0; k < run.nkeep; k++)
		if (i >= run.keep_lo[k] && i <= run.keep_hi[k])
			return true;
	return false;
}

/* ---- findings ---- */

void fz_violation(uint64_t index, const char *kind, const char *fmt, ...)
{
	char msg[240];
	va_list ap;

	if (fz_stats.violations++ >= PRINT_VIOLATIONS)
		return;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("fuzz[%u]: VIOLATION %s at call %llu: %s\n", fz.cluster, kind, (unsigned long long)index, msg);
}

static void describe(const struct fz_op *op, char *out, size_t n)
{
	const struct fz_call *c = &op->call;

	ksnprintf(out, n, "%s by %s%d: no=%llu cap=%llu label=%llu len=%llu reply=%llu mr=%#llx %#llx %#llx %#llx",
		  op->name ? op->name : "?", op->actor < 0 ? "executor" : "worker", op->actor < 0 ? 0 : op->actor,
		  (unsigned long long)c->no, (unsigned long long)c->cap,
		  (unsigned long long)MSGINFO_LABEL(c->info), (unsigned long long)MSGINFO_LENGTH(c->info),
		  (unsigned long long)c->reply, (unsigned long long)c->mr[0], (unsigned long long)c->mr[1],
		  (unsigned long long)c->mr[2], (unsigned long long)c->mr[3]);
}

static void errs_text(uint32_t mask, char *out, size_t n)
{
	size_t k = 0;

	out[0] = 0;
	for (unsigned e = 0; e < E_COUNT && k < n; e++)
		if (mask & EBIT(e))
			k += (size_t)ksnprintf(out + k, n - k, "%s%u", k ? "|" : "", e);
}

/* ---- one call ---- */

uint64_t fz_raw_call(const struct fz_call *c, struct fz_result *res)
{
	struct ipc_buffer *b = atoll_ipcbuf;
	struct ipc_result r;

	for (int i = 0; i < c->nbuf; i++)
		b->mr[4 + i] = c->buf[i];
	if (c->mr23_in_buf)
		b->mr[2] = c->mr[2], b->mr[3] = c->mr[3];
	for (int i = 0; i < MSG_MAX_EXTRA_CAPS; i++)
		b->caps[i] = c->caps[i];
	b->receive_cnode = c->set_recv ? c->recv_cnode : 0;
	b->receive_index = c->recv_index;
	r = atoll_call6(c->no, c->cap, c->info, c->reply, c->mr[0], c->mr[1], c->mr[2], c->mr[3]);
	res->err = r.err, res->badge = r.badge, res->info = r.info;
	for (int i = 0; i < 4; i++)
		res->mr[i] = r.mr[i];
	return r.err;
}

void fz_exec(struct fz_op *op, struct fz_result *res)
{
	if (op->actor < 0) {
		fz_raw_call(&op->call, res);
		return;
	}
	if (!fz_worker_call((unsigned)op->actor, &op->call, res, false)) {
		char d[200];
		describe(op, d, sizeof(d));
		fz_violation(fz_cur_index, "worker", "a call that cannot block did not return: %s", d);
		fz_w[op->actor].faulted = true; /* leave it alone from now on */
		res->err = E_COUNT;
	}
}

/* What the model says about object o: printed with a violation. */
static void dump_obj(const char *what, int o)
{
	const struct fz_obj *ob;

	if (o < 0 || o >= FZ_MAX_OBJS)
		return;
	ob = &fz.obj[o];
	printf("fuzz[%u]:   model %s: object %d type %u live %u ncaps %u bound %d word %#llx active %u "
	       "linked %d@%#llx\n", fz.cluster, what, o, ob->type, ob->live, ob->ncaps, ob->bound,
	       (unsigned long long)ob->word, ob->active, ob->link_vs, (unsigned long long)ob->link_va);
	for (int i = 0; i < FZ_MAX_CAPS; i++) {
		const struct fz_cap *c = &fz.cap[i];
		if (c->used && c->obj == o)
			printf("fuzz[%u]:     cap %d in cspace %d slot %d rights %u badge %#llx list %d<>%d "
			       "revocable %u mapped %d@%#llx wm %#llx\n", fz.cluster, i, c->cs, c->slot, c->rights,
			       (unsigned long long)c->badge, c->prev, c->next, c->revocable, c->map_vs,
			       (unsigned long long)c->map_va, (unsigned long long)c->wm);
	}
}

/* The model's view of the invoked capability (and what it is bound to). */
static void dump_model(const struct fz_op *op)
{
	int cs = op->actor < 0 ? 0 : fz_wcs[op->actor], c;

	if ((fz_stats.violations > 3 && fz_trace_obj < 0) || op->call.cap >= (1u << fz.cs[cs].radix))
		return;
	if ((c = fz_slot_cap(cs, (int)op->call.cap)) == FZ_NO) {
		printf("fuzz[%u]:   model: cspace %d slot %llu is empty\n", fz.cluster, cs,
		       (unsigned long long)op->call.cap);
		return;
	}
	dump_obj("invoked", fz.cap[c].obj);
	if (fz.obj[fz.cap[c].obj].bound != FZ_NO)
		dump_obj("bound", fz.obj[fz.cap[c].obj].bound);
	uint64_t label = MSGINFO_LABEL(op->call.info);
	if (op->call.no == SYS_CALL && label >= INV_CNODE_COPY && label <= INV_CNODE_MUTATE &&
	    (c = fz_slot_cap(cs, (int)op->call.mr[1])) != FZ_NO) {
		dump_obj("source", fz.cap[c].obj);
		if (fz.cap[c].next != FZ_NO) /* and what follows it */
			dump_obj("next's", fz.cap[fz.cap[c].next].obj);
	}
}

static void check(const struct fz_op *op, const struct fz_result *res)
{
	char d[200], e[40];

	if (res->err == E_COUNT)
		return;
	if (!(op->ex.ok_errs & EBIT(res->err))) {
		describe(op, d, sizeof(d));
		errs_text(op->ex.ok_errs, e, sizeof(e));
		fz_violation(fz_cur_index, "predict", "%s -> error %llu, model expects %s",
			     d, (unsigned long long)res->err, e);
		dump_model(op);
	} else if (op->ex.check_badge && res->badge != op->ex.badge) {
		describe(op, d, sizeof(d));
		fz_violation(fz_cur_index, "predict", "%s -> badge %#llx, model expects %#llx", d,
			     (unsigned long long)res->badge, (unsigned long long)op->ex.badge);
		dump_model(op);
	}
}

/* fuzz_trace_obj=: after a call that changed the traced object's caps. */
static void trace_obj(void)
{
	static uint64_t last;
	uint64_t h = 0;

	if (fz_trace_obj < 0)
		return;
	for (int i = 0; i < FZ_MAX_CAPS; i++)
		if (fz.cap[i].used && fz.cap[i].obj == fz_trace_obj)
			h = h * 1000003 + (uint64_t)i * 65537 + (uint64_t)fz.cap[i].slot * 257 +
			    (uint64_t)(fz.cap[i].prev + 1) * 7 + (uint64_t)fz.cap[i].cs;
	if (h != last)
		dump_obj("traced", fz_trace_obj);
	last = h;
}

static void one_call(struct rand64 *r)
{
	struct fz_op op;
	struct fz_result res = { 0 };

	uint64_t t0 = atoll_rdtsc(), t1;

	if (rand_chance(r, PROBE_PCT)) {
		fz_oracle_probe(r);
		fz_stats.probe_ticks += atoll_rdtsc() - t0;
		return;
	}
	if (!fz_generate(r, &op)) {
		fz_stats.skipped++;
		return;
	}
	t1 = atoll_rdtsc();
	fz_exec(&op, &res);
	fz_stats.kind_ticks[op.kind] += atoll_rdtsc() - t1;
	fz_stats.gen_ticks -= atoll_rdtsc() - t1;
	check(&op, &res);
	if (op.apply && res.err != E_COUNT)
		op.apply(&op, &res);
	fz_stats.gen_ticks += atoll_rdtsc() - t0;
	fz_stats.calls++;
	fz_stats.ok += res.err == E_OK;
	fz_stats.kind_n[op.kind]++;
	fz_stats.kind_ok[op.kind] += res.err == E_OK;
	if (fz_trace) {
		char d[200];
		describe(&op, d, sizeof(d));
		printf("fuzz: #%llu %s -> %llu\n", (unsigned long long)fz_cur_index, d, (unsigned long long)res.err);
		trace_obj();
	}
}

/* The executor thread: CSpace = its own CNode, the root's VSpace. */
static void exec_main(uint64_t unused)
{
	struct rand64 r;

	for (uint64_t i = 0; i < run.n; i++) {
		if (!selected(i))
			continue;
		fz_cur_index = i;
		rand_seed(&r, run.seed ^ (i * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)fz.cluster << 56));
		one_call(&r);
		if (i % FRAME_CHECK_EVERY == FRAME_CHECK_EVERY - 1) {
			uint64_t t0 = atoll_rdtsc();
			fz_oracle_frames();
			fz_stats.oracle_ticks += atoll_rdtsc() - t0;
		}
	}
	fz_oracle_frames();
	atoll_call6(SYS_SIGNAL, P_DONE, 0, 0, 0, 0, 0, 0);
	for (;;)
		atoll_yield();
}

/* ---- setup ---- */

static int pin(int cs, int slot, unsigned type, unsigned rights, int obj)
{
	if (obj == FZ_NO) {
		obj = fz_obj_new(type, 0);
		fz.obj[obj].external = 1;
	}
	fz_cdt_append(fz_cap_new(obj, cs, slot, rights, 0));
	return obj;
}

/* The model of the executor's and the workers' starting CSpaces. */
void fz_setup_model(void)
{
	int f, o;

	memset(&fz, 0, sizeof(fz));
	fz.cdt_head = fz.cdt_tail = FZ_NO;
	fz.ncores = suite_bi->core_count;
	fz.cluster = suite_bi->cluster_id;
	fz.nclusters = suite_bi->cluster_count;
	fz.devices = suite_has_devices();
	for (int i = 0; i < FZ_MAX_OBJS; i++)
		fz.obj[i].live = 0;
	f = fz_obj_new(OBJ_CNODE, 32 << FZ_EXEC_RADIX);
	fz.obj[f].external = 1;
	fz.obj[f].region_bits = FZ_EXEC_RADIX;
	fz_cs_new(f, FZ_EXEC_RADIX, P_FIRST_FREE, -1);
	pin(0, P_SELF, OBJ_CNODE, RIGHTS_ALL, f);
	pin(0, P_DONE, OBJ_NOTIFICATION, RIGHT_WRITE, FZ_NO);
	for (int u = 0; u < 2; u++) {
		o = pin(0, P_UT0 + u, OBJ_UNTYPED, RIGHTS_ALL, FZ_NO);
		fz.obj[o].bytes = 1ull << (u ? 15 : 17);
		fz.obj[o].region_bits = (uint8_t)(u ? 15 : 17);
		fz.obj[o].root = (int16_t)o; /* distinct memory: objects in one never lie in the other */
		fz.cap[fz_slot_cap(0, P_UT0 + u)].revocable = 1;
	}
	for (int k = 0; k < FZ_WORKERS; k++) {
		int w = fz_obj_new(OBJ_CNODE, 32 << FZ_WORKER_RADIX);
		fz.obj[w].external = 1;
		fz.obj[w].region_bits = FZ_WORKER_RADIX;
		fz_wcs[k] = fz_cs_new(w, FZ_WORKER_RADIX, W_FIRST_FREE, k);
		pin(fz_wcs[k], W_SELF, OBJ_CNODE, RIGHTS_ALL, w);
		int go = pin(fz_wcs[k], W_GO, OBJ_NOTIFICATION, RIGHT_READ, FZ_NO);
		int fep = pin(fz_wcs[k], W_FEP, OBJ_ENDPOINT, RIGHT_WRITE, FZ_NO);
		pin(0, P_WCN + k, OBJ_CNODE, RIGHTS_ALL, w);
		fz_w[k].vs_obj = (int16_t)pin(0, P_WVS + k, OBJ_PML4, RIGHTS_ALL, FZ_NO);
		fz_w[k].tcb_obj = (int16_t)pin(0, P_WTCB + k, OBJ_TCB, RIGHTS_ALL, FZ_NO);
		fz.obj[fz_w[k].tcb_obj].worker = (int8_t)k;
		fz.obj[fz_w[k].tcb_obj].prio = 120;
		pin(0, P_WGO + k, OBJ_NOTIFICATION, RIGHT_WRITE, go);
		pin(0, P_WFEP + k, OBJ_ENDPOINT, RIGHT_READ, fep);
	}
	pin(0, P_FREPLY, OBJ_REPLY, RIGHTS_ALL, FZ_NO);
	pin(0, P_DEBUG, OBJ_DEBUG, RIGHT_WRITE, FZ_NO);
	if (fz.devices) { /* issued straight into the CNode: an original, so revocable */
		pin(0, P_IOPORT, OBJ_IOPORT, RIGHTS_ALL, FZ_NO);
		fz.cap[fz_slot_cap(0, P_IOPORT)].revocable = 1;
	}
	if (fz.nclusters > 1) {
		o = pin(0, P_XN_IN, OBJ_XNOTIF, RIGHTS_ALL, FZ_NO);
		fz.obj[o].xn_in = 1;
		pin(0, P_XN_OUT, OBJ_XNOTIF, RIGHTS_ALL, FZ_NO);
	}
}

struct fz_env {
	cptr_t infra, fcn, tcb, ipcf;
};

/* The kernel objects behind the model (root-held originals). */
static uint64_t setup_objects(struct fz_env *e)
{
	uint64_t err;
	const struct abi_bootinfo *bi = suite_bi;

	if (!(e->infra = obj_alloc(OBJ_UNTYPED, INFRA_BITS, &err)))
		return err;
	e->fcn = slot_alloc();
	run.done_root = slot_alloc();
	cptr_t rep = slot_alloc();
	if ((err = atoll_untyped_retype(e->infra, OBJ_CNODE, FZ_EXEC_RADIX, ROOT_CNODE, e->fcn, 1)) ||
	    (err = atoll_untyped_retype(e->infra, OBJ_NOTIFICATION, 0, ROOT_CNODE, run.done_root, 1)) ||
	    (err = atoll_untyped_retype(e->infra, OBJ_REPLY, 0, ROOT_CNODE, rep, 1)) ||
	    (err = atoll_cnode_copy(e->fcn, P_SELF, e->fcn, RIGHTS_ALL)) ||
	    (err = atoll_cnode_copy(e->fcn, P_DONE, run.done_root, RIGHT_WRITE)) ||
	    (err = atoll_cnode_copy(e->fcn, P_FREPLY, rep, RIGHTS_ALL)) ||
	    (err = atoll_cnode_copy(e->fcn, P_DEBUG, ROOT_DEBUG, RIGHT_WRITE)) ||
	    (err = atoll_untyped_retype(e->infra, OBJ_UNTYPED, 17, e->fcn, P_UT0, 1)) ||
	    (err = atoll_untyped_retype(e->infra, OBJ_UNTYPED, 15, e->fcn, P_UT1, 1)))
		return err;
	for (unsigned k = 0; k < FZ_WORKERS; k++)
		if ((err = fz_worker_setup(k, e->infra, e->fcn)))
			return err;
	if (fz.devices && (err = atoll_ioport_issue(ROOT_IOPORT_CONTROL, 0x80, 0x80, e->fcn, P_IOPORT)))
		return err;
	if (bi->cluster_count > 1) {
		uint32_t next = (bi->cluster_id + 1) % bi->cluster_count;
		if ((err = atoll_cnode_copy(e->fcn, P_XN_IN, ROOT_XNOTIF, RIGHTS_ALL)) ||
		    (err = atoll_cnode_copy(e->fcn, P_XN_OUT, bi->chan[next].signal_slot, RIGHTS_ALL)))
			return err;
	}
	return E_OK;
}

static uint64_t setup_executor(struct fz_env *e)
{
	uint64_t regs[REG_COUNT] = { 0 }, err, top = EXEC_AREA + ABI_THREAD_AREA;
	cptr_t tcb = slot_alloc();

	if (!(e->ipcf = page_alloc_at(EXEC_AREA)))
		return E_NOT_ENOUGH_MEMORY;
	for (uint64_t i = 1; i <= EXEC_STACK_PAGES; i++)
		if (!page_alloc_at(top - i * 4096))
			return E_NOT_ENOUGH_MEMORY;
	if ((err = atoll_untyped_retype(e->infra, OBJ_TCB, 0, ROOT_CNODE, tcb, 1)) ||
	    (err = atoll_tcb_configure(tcb, 0, e->fcn, ROOT_VSPACE, EXEC_AREA, e->ipcf)) ||
	    (err = atoll_tcb_set_mcp(tcb, 150)) || (err = atoll_tcb_set_priority(tcb, EXEC_PRIO)) ||
	    (err = atoll_tcb_set_affinity(tcb, 0)))
		return err;
	e->tcb = tcb;
	regs[REG_RIP] = (uint64_t)(uintptr_t)exec_main;
	regs[REG_RSP] = top - 8;
	regs[REG_RFLAGS] = 0x202;
	return atoll_tcb_write_registers(tcb, false, REG_RFLAGS + 1, regs);
}

/* ---- the report ---- */

static void report(uint64_t ms)
{
	uint64_t pct10 = fz_stats.calls ? fz_stats.ok * 1000 / fz_stats.calls : 0;

	printf("fuzz[%u]: %llu calls, %llu succeeded (%llu.%llu%%), %llu oracle checks (%llu probes, %llu faults), "
	       "%llu violations; seed %llu, %llu ms\n",
	       fz.cluster, (unsigned long long)fz_stats.calls, (unsigned long long)fz_stats.ok,
	       (unsigned long long)(pct10 / 10), (unsigned long long)(pct10 % 10),
	       (unsigned long long)fz_stats.checks, (unsigned long long)fz_stats.probes,
	       (unsigned long long)fz_stats.faults, (unsigned long long)fz_stats.violations,
	       (unsigned long long)run.seed, (unsigned long long)ms);
	printf("fuzz[%u]:   %llu requests to workers, %llu ms waiting for them; %llu ms generating and "
	       "applying, %llu ms frame checks, %llu ms probes\n", fz.cluster,
	       (unsigned long long)fz_stats.waits, (unsigned long long)(fz_stats.wait_ticks / ms_ticks(1)),
	       (unsigned long long)(fz_stats.gen_ticks / ms_ticks(1)),
	       (unsigned long long)(fz_stats.oracle_ticks / ms_ticks(1)),
	       (unsigned long long)(fz_stats.probe_ticks / ms_ticks(1)));
	if (!fz_trace)
		return;
	for (unsigned k = 0; k < fz_kind_count(); k++)
		printf("fuzz[%u]:   %s: %llu calls, %llu succeeded, %llu ms\n", fz.cluster, fz_kind_name((int)k),
		       (unsigned long long)fz_stats.kind_n[k], (unsigned long long)fz_stats.kind_ok[k],
		       (unsigned long long)(fz_stats.kind_ticks[k] / ms_ticks(1)));
}

/* Everything made for the run goes with one revoke of its untyped. */
static volatile uint64_t cleanup_err;

static void cleanup_fn(uint64_t infra)
{
	cleanup_err = atoll_cnode_revoke(ROOT_CNODE, infra);
}

static void t_fuzz(void)
{
	static bool ran; /* its thread areas exist once */
	struct fz_env e = { 0 };

	if (ran) {
		EXPECT(!"the fuzzer runs once per boot");
		return;
	}
	ran = true;
	run.n = cmd_u64("fuzz", 2000);
	run.seed = cmd_u64("seed", 1);
	fz_trace = cmd_u64("fuzz_trace", 0) != 0;
	fz_trace_obj = (int)cmd_u64("fuzz_trace_obj", (uint64_t)-1);
	parse_keep();
	memset(&fz_stats, 0, sizeof(fz_stats));
	fz_setup_model();
	REQUIRE_OK(setup_objects(&e));
	REQUIRE_OK(setup_executor(&e));
	uint64_t t0 = atoll_rdtsc();
	REQUIRE_OK(atoll_tcb_resume(e.tcb));
	atoll_ntfn_wait(run.done_root);
	atoll_tcb_suspend(e.tcb);
	for (unsigned k = 0; k < FZ_WORKERS; k++)
		atoll_tcb_suspend(fz_w[k].root_tcb);
	report((atoll_rdtsc() - t0) / ms_ticks(1));
	cleanup_err = ~0ull;
	EXPECT(run_bounded(cleanup_fn, e.infra, 5000)); /* a looping kernel fails here */
	EXPECT_EQ(cleanup_err, E_OK);
	EXPECT_EQ(fz_stats.violations, 0);
	if (fz_stats.calls >= 1000)
		EXPECT(fz_stats.ok * 2 >= fz_stats.calls); /* mostly well-formed calls */
}

const struct utest fuzz_tests[] = {
	{ "stateful fuzzer: model-predicted results, frames disjoint, unmapped memory faults", t_fuzz },
};
const unsigned fuzz_tests_count = sizeof(fuzz_tests) / sizeof(fuzz_tests[0]);
