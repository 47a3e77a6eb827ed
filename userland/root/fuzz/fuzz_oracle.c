/*
 * The fuzzer's isolation oracles (docs/fuzzing.md):
 *  - frames: no two live frames of distinct retypes overlap in physical
 *    memory (INV_FRAME_GET_ADDRESS of every frame the executor holds), and
 *    one frame always reports the same address;
 *  - probes: a worker touches a page of its VSpace; the model says what is
 *    there. Unmapped (never mapped, unmapped, its frame or table deleted):
 *    the touch faults. Mapped: word 0 reads what the fuzzer last stamped
 *    there (0 for a fresh frame), the rest reads zero; a write to a
 *    read-only mapping faults.
 */
#include "fuzz.h"

struct seen_frame {
	int16_t obj;
	uint64_t pa, bytes;
};

static bool overlap(const struct seen_frame *a, const struct seen_frame *b)
{
	return a->pa < b->pa + b->bytes && b->pa < a->pa + a->bytes;
}

/* One capability in the executor's CSpace to each live frame. */
static unsigned collect_frames(struct seen_frame *out, unsigned max)
{
	unsigned n = 0;

	for (int s = 0; s < (1 << FZ_EXEC_RADIX) && n < max; s++) {
		int c = fz.cs[0].slot[s], dup = 0;
		if (c == FZ_NO || !fz_is_frame(fz.obj[fz.cap[c].obj].type))
			continue;
		for (unsigned i = 0; i < n; i++)
			dup |= out[i].obj == fz.cap[c].obj;
		if (dup)
			continue;
		struct ipc_result r = atoll_invoke((cptr_t)s, INV_FRAME_GET_ADDRESS, 0, 0, 0, 0, 0);
		if (r.err != E_OK) {
			fz_violation(fz_cur_index, "frame-address", "FRAME_GET_ADDRESS of slot %d: error %llu", s,
				     (unsigned long long)r.err);
			continue;
		}
		struct fz_obj *o = &fz.obj[fz.cap[c].obj];
		if (o->paddr && o->paddr != r.mr[0])
			fz_violation(fz_cur_index, "frame-address", "one frame, two addresses: %#llx then %#llx",
				     (unsigned long long)o->paddr, (unsigned long long)r.mr[0]);
		o->paddr = r.mr[0];
		out[n++] = (struct seen_frame){ fz.cap[c].obj, r.mr[0], o->bytes };
	}
	return n;
}

void fz_oracle_frames(void)
{
	static struct seen_frame f[FZ_MAX_SLOTS];
	unsigned n = collect_frames(f, FZ_MAX_SLOTS);

	fz_stats.checks++;
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (overlap(&f[i], &f[j]))
				fz_violation(fz_cur_index, "overlap",
					     "two frames from distinct retypes share memory: %#llx and %#llx",
					     (unsigned long long)f[i].pa, (unsigned long long)f[j].pa);
}

/* A page of worker k's window: mostly one the model has mapped. */
static uint64_t probe_va(struct rand64 *r, int vs)
{
	uint64_t base = FZ_WIN_BASE;

	for (int tries = 0; tries < 8 && rand_chance(r, 80); tries++) {
		uint64_t va = base + (rand_below(r, 2) << 39) + (rand_below(r, 2) << 30) + (rand_below(r, 2) << 21) +
			      (rand_below(r, FZ_WIN_INDEX) << 12);
		bool w;
		if (fz_translate(vs, va, &w) != FZ_NO)
			return va;
	}
	return base + (rand_below(r, 2) << 39) + (rand_below(r, 2) << 30) + (rand_below(r, 2) << 21) +
	       (rand_below(r, FZ_WIN_INDEX) << 12);
}

static void probe_check(unsigned k, uint64_t va, int frame, bool write, bool writable, bool done,
			uint64_t w0, uint64_t rest, uint64_t fault_va)
{
	bool want_fault = frame == FZ_NO || (write && !writable);

	fz_stats.checks++;
	if (want_fault && done)
		fz_violation(fz_cur_index, "probe",
			     "worker %u %s %#llx, which the model says is %s: it did not fault (read %#llx)", k,
			     write ? "wrote" : "read", (unsigned long long)va,
			     frame == FZ_NO ? "unmapped" : "read-only", (unsigned long long)w0);
	else if (!want_fault && !done)
		fz_violation(fz_cur_index, "probe", "worker %u faulted at %#llx touching mapped %#llx", k,
			     (unsigned long long)fault_va, (unsigned long long)va);
	else if (!want_fault && !write && (w0 != fz.obj[frame].stamp || rest))
		fz_violation(fz_cur_index, "probe",
			     "worker %u read %#llx at %#llx (rest %#llx); the model says %#llx and zero", k,
			     (unsigned long long)w0, (unsigned long long)va, (unsigned long long)rest,
			     (unsigned long long)fz.obj[frame].stamp);
}

void fz_oracle_probe(struct rand64 *r)
{
	unsigned k = (unsigned)rand_below(r, FZ_WORKERS);
	int vs = fz_w[k].vs_obj, frame;
	uint64_t va, stamp, w0 = 0, rest = 0, fva;
	bool writable = false, write, done;

	if (!fz_worker_usable(k))
		return;
	va = probe_va(r, vs);
	frame = fz_translate(vs, va, &writable);
	write = rand_chance(r, 30);
	stamp = write ? (rand_next(r) | 1) : 0;
	fz_stats.probes++;
	done = fz_worker_probe(k, va, stamp, &w0, &rest, &fva);
	fz_stats.faults += !done;
	probe_check(k, va, frame, write, writable, done, w0, rest, fva);
	if (done && write && frame != FZ_NO)
		fz.obj[frame].stamp = stamp;
	if (fz_trace)
		printf("fuzz: #%llu probe w%u %s %#llx -> %s\n", (unsigned long long)fz_cur_index, k,
		       write ? "write" : "read", (unsigned long long)va, done ? "done" : "fault");
}
