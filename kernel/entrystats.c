/*
 * Timing of kernel entries (entrystats.h). The entry and exit code
 * (syscall.asm, trap.asm, entrystats.inc) do the common part in a few
 * instructions; this file has the rare and the idle-loop parts, and the
 * report a test run ends with.
 */
#include "abi/abi.h"
#include "arch/arch.h"
#include "arch/regs.h"
#include "arch/trap.h"
#include "console.h"
#include "entrystats.h"
#include "kstring.h"
#include "printf.h"
#include "sched.h"
#include "smp.h"

/* Per cluster (copied .bss): set by the cluster's first core at the end of
 * its boot (cluster_run), read-only after; read by the entry code. */
bool entry_stats_on;
/* Per core of this cluster, by index (apart from struct core, which stays
 * the size the scheduler's hot paths index with one instruction): per
 * cluster (copied .bss), each core writes only its own record. */
static struct entry_record records[MAX_CORES];

void entry_stats_enable(bool on)
{
	entry_stats_on = on;
}

static void record(struct cpu *cpu, uint64_t work)
{
	struct entry_record *r = &records[this_core()->index];

	cpu->entry_max = work;
	r->work = work;
	r->lockwait = cpu->entry_lockwait;
	r->kind = cpu->entry_kind;
	r->what = cpu->entry_what;
	r->info = cpu->entry_info;
	r->obj = cpu->entry_obj;
}

void entry_stats_record(uint64_t work);
void entry_stats_record(uint64_t work)
{
	record(this_cpu(), work);
}

void entry_stats_close(void)
{
	struct cpu *cpu = this_cpu();
	uint64_t work;

	if (!entry_stats_on || !cpu->entry_tsc)
		return;
	work = arch_cycles() - cpu->entry_tsc - cpu->entry_lockwait;
	cpu->entry_tsc = 0;
	if (work > cpu->entry_max)
		record(cpu, work);
}

void entry_stats_open(uint64_t kind)
{
	struct cpu *cpu = this_cpu();

	if (!entry_stats_on || cpu->entry_tsc)
		return;
	cpu->entry_kind = kind;
	cpu->entry_what = cpu->entry_info = cpu->entry_obj = 0;
	cpu->entry_lockwait = 0;
	cpu->entry_tsc = arch_cycles();
}

void entry_stats_lock_wait(uint64_t ticks)
{
	struct entry_record *r = &records[this_core()->index];

	this_cpu()->entry_lockwait += ticks;
	if (ticks > r->lockwait_max)
		r->lockwait_max = ticks;
}

bool entry_stats_get(uint32_t core, struct entry_record *out)
{
	if (core >= cluster.ncores)
		return false;
	*out = records[core];
	return true;
}

static const char *syscall_name(uint64_t no)
{
	switch (no) {
#define X(name, num, doc) case num: return #name;
#include "abi/syscalls.def"
#undef X
	default: return NULL;
	}
}

static const char *label_name(uint64_t label)
{
	switch (label) {
#define X(name, num, obj, args) case num: return #name;
#include "abi/labels.def"
#undef X
	default: return NULL;
	}
}

static const char *object_name(uint64_t type)
{
	switch (type) {
#define X(name, num, bits) case num: return #name;
#include "abi/objects.def"
#undef X
	default: return "?";
	}
}

/* What an entry was, in words. */
static void describe(const struct entry_record *r, char *buf, size_t n)
{
	typedef unsigned long long ull;
	const char *sys = syscall_name(r->what), *label = label_name(MSGINFO_LABEL(r->info));

	if (r->kind == VEC_SYSCALL && r->obj && label)
		ksnprintf(buf, n, "system call %s, invocation %s of a %s", sys ? sys : "?", label,
			  object_name(r->obj - 1));
	else if (r->kind == VEC_SYSCALL && r->obj)
		ksnprintf(buf, n, "system call %s, label %llu on a %s", sys ? sys : "?",
			  (ull)MSGINFO_LABEL(r->info), object_name(r->obj - 1));
	else if (r->kind == VEC_SYSCALL && sys)
		ksnprintf(buf, n, "system call %s", sys);
	else if (r->kind == VEC_SYSCALL)
		ksnprintf(buf, n, "system call number %llu (unknown)", (ull)r->what);
	else if (r->kind < 32)
		ksnprintf(buf, n, "exception %s, error code %#llx", trap_name(r->kind), (ull)r->what);
	else if (r->kind == VEC_NONE)
		ksnprintf(buf, n, "wake-up of an idle core");
	else
		ksnprintf(buf, n, "interrupt, vector %#llx", (ull)r->kind);
}

void entry_stats_report(void)
{
	typedef unsigned long long ull;
	const struct entry_record *best = NULL;
	uint64_t lockwait = 0;
	uint32_t core = 0;
	char what[96];

	if (!entry_stats_on)
		return;
	for (uint32_t i = 0; i < cluster.ncores; i++) {
		const struct entry_record *r = &records[i];
		if (!best || r->work > best->work) {
			best = r;
			core = i;
		}
		if (r->lockwait_max > lockwait)
			lockwait = r->lockwait_max;
	}
	describe(best, what, sizeof(what));
	console_lock(); /* one line among the clusters' output */
	kprintf("longest kernel entry: %llu tsc (icount: instructions) on core %u of cluster %u: %s; "
		"kernel-lock waits excluded (longest %llu tsc)\n",
		(ull)best->work, cluster.first_core + core, cluster.id, what, (ull)lockwait);
	console_unlock();
}
