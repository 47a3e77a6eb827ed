/*
 * Bringing up the clusters (DESIGN §2 and §6; docs/clusters.md).
 *
 * The boot core has parsed everything with one set of boot tables that map
 * all memory. Here it plans the clusters, splits free memory into one
 * partition per cluster plus the shared region, and for each cluster makes
 * (from that cluster's partition) a copy of the kernel's .data/.bss, the
 * struct cpu, stack and scheduler state of each of its cores, and its own
 * kernel page tables. Cluster 0 keeps the image's own .data/.bss. Then it
 * starts the cores; each switches to its cluster's tables at once, so from
 * its first C statement every global it touches is its cluster's.
 */
#include "arch/arch.h"
#include "arch/cpu.h"
#include "console.h"
#include "kernel.h"
#include "kstring.h"
#include "layout.h"
#include "panic.h"
#include "sanitize.h"
#include "sched.h"
#include "smp.h"

#define AP_STACK_SIZE 16384

/* The boot core's working set, in boot memory outside every partition. */
struct smp_scratch {
	struct mem_plan plan;
	struct bootmem bm[MAX_CLUSTERS];
	struct cpu *cpus[MAX_CORES];
	paddr_t data_pa[MAX_CLUSTERS], pml4[MAX_CLUSTERS];
	struct core *cores[MAX_CLUSTERS];
	struct mem_range rw[PART_MAX_RANGES + 1], ro[BI_MAX_MODULES];
};

/* Per cluster (copied .data), but only cluster 0's copy counts the
 * machine's cores: the boot core raises it in smp_start_cores. */
static uint32_t cores_online = 1;
/* The boot core's plan, from smp_boot to smp_start_cores (cluster 0 only). */
static struct {
	struct smp_scratch *sc;
	uint32_t cores, found, clusters;
	uint32_t apic[MAX_CORES];
} boot_plan;

uint64_t shared_region_bytes(uint32_t clusters)
{
	return clusters > 1 ? SHARED_RINGS_OFFSET + (uint64_t)clusters * clusters * CHAN_RING_BYTES : 0;
}

uint32_t smp_cores_online(void)
{
	return cores_online;
}

static void layout_warn(void *ctx, const char *msg)
{
	(void)ctx;
	kprintf("warning: %s\n", msg);
}

/* Logical core i -> APIC id: the boot core first, then the MADT's order. */
static uint32_t list_cores(const struct kernel_boot *kb, uint32_t *apic, uint32_t *found)
{
	uint32_t self = arch_lapic_id(), n = 1;

	apic[0] = self;
	*found = 1;
	if (kb->acpi_error)
		return 1;
	for (uint32_t i = 0; i < kb->acpi.cpu_count; i++) {
		const struct acpi_cpu *cpu = &kb->acpi.cpus[i];
		if (!cpu->enabled || cpu->apic_id == self)
			continue;
		++*found;
		if (n < MAX_CORES)
			apic[n++] = cpu->apic_id;
	}
	return n;
}

static paddr_t alloc_zeroed(struct bootmem *bm, uint64_t size, const char *what, uint32_t c)
{
	paddr_t pa = bootmem_alloc(bm, ALIGN_UP(size, PAGE_SIZE), PAGE_SIZE, ~0ull);

	if (!pa)
		panic("clusters: cluster %u's partition has no room for %s", c, what);
	memset(phys_to_virt(pa), 0, ALIGN_UP(size, PAGE_SIZE));
	return pa;
}

/* Where a .data/.bss variable lies in the copy at data_pa. */
static void *in_copy(paddr_t data_pa, const void *var)
{
	uintptr_t off = (uintptr_t)var - (uintptr_t)__data_start;

	if ((uintptr_t)var < (uintptr_t)__data_start || (uintptr_t)var >= (uintptr_t)__data_end)
		panic("clusters: %p is not per-cluster data", var);
	return phys_to_virt(data_pa + off);
}

extern char boot_stack_guard[];

/* Copy .data/.bss to data_pa, all but the boot stack's unmapped guard page. */
static void copy_data(paddr_t data_pa)
{
	for (char *p = __data_start; p < __data_end; p += PAGE_SIZE)
		if (p != boot_stack_guard)
			memcpy(in_copy(data_pa, p), p, PAGE_SIZE);
}

static void plan_memory(struct kernel_boot *kb, struct smp_scratch *sc, struct cluster_layout *lay)
{
	const char *err = mem_partition_plan(&kb->bm, lay->count, shared_region_bytes(lay->count), &sc->plan);

	if (err && lay->count > 1) {
		kprintf("warning: %s; using one cluster of all %u cores\n", err, lay->cores);
		lay->size = lay->cores;
		lay->count = 1;
		err = mem_partition_plan(&kb->bm, 1, 0, &sc->plan);
	}
	if (err)
		panic("%s", err);
}

/* Cluster c's partition, scheduler state, cores and kernel tables. */
static void build_cluster(struct kernel_boot *kb, struct smp_scratch *sc, const struct cluster_layout *lay,
			  const uint32_t *apic, uint32_t c)
{
	const struct mem_partition *part = &sc->plan.part[c];
	struct bootmem *bm = &sc->bm[c];
	struct kmap_spec spec = { &kb->bi, 0, sc->rw, 0, sc->ro, 0 };
	uint64_t data_size = (uintptr_t)__data_end - (uintptr_t)__data_start;
	struct core *cores;

	memset(bm, 0, sizeof(*bm));
	for (uint32_t i = 0; i < part->n; i++)
		bm->free[bm->count++] = (struct bootmem_range){ part->r[i].base, part->r[i].end };
	sc->data_pa[c] = c == 0 ? kimage_to_phys(__data_start) : alloc_zeroed(bm, data_size, "kernel data", c);
	cores = phys_to_virt(alloc_zeroed(bm, lay->size * sizeof(struct core), "core state", c));
	sc->cores[c] = cores;
	for (uint32_t i = 0; i < lay->size; i++) {
		uint32_t k = c * lay->size + i;
		readyq_init(&cores[i].rq);
		cores[i].index = i;
		cores[i].apic_id = apic[k];
		cores[i].cpu = &boot_cpu;
		if (k == 0)
			continue; /* the boot core has its struct cpu and stack */
		struct cpu *cpu = phys_to_virt(alloc_zeroed(bm, sizeof(struct cpu), "a struct cpu", c));
		paddr_t stack = alloc_zeroed(bm, AP_STACK_SIZE, "a kernel stack", c);
		cpu->index = k;
		cpu->apic_id = apic[k];
		cpu->kstack_bottom = (uint64_t)(uintptr_t)phys_to_virt(stack);
		cpu->kstack_top = cpu->kstack_bottom + AP_STACK_SIZE;
		cpu->sched_core = &cores[i];
		cores[i].cpu = cpu;
		sc->cpus[k] = cpu;
	}
	for (uint32_t i = 0; i < part->n; i++)
		sc->rw[spec.n_rw++] = part->r[i];
	if (sc->plan.shared.end)
		sc->rw[spec.n_rw++] = sc->plan.shared;
	for (uint32_t i = 0; i < kb->bi.module_count; i++)
		sc->ro[spec.n_ro++] = (struct mem_range){ ALIGN_DOWN(kb->bi.modules[i].start, PAGE_SIZE),
							  ALIGN_UP(kb->bi.modules[i].end, PAGE_SIZE) };
	spec.data_pa = sc->data_pa[c];
	sc->pml4[c] = arch_cluster_tables(bm, &spec);
	for (uint32_t i = 0; i < lay->size; i++)
		if (c * lay->size + i)
			sc->cpus[c * lay->size + i]->kernel_pml4 = sc->pml4[c];
}

static void describe(const struct smp_scratch *sc, const struct cluster_layout *lay, enum cluster_by by)
{
	kprintf("Clusters: %u of %u core%s (cluster_size=", lay->count, lay->size, lay->size == 1 ? "" : "s");
	if (by == CLUSTER_BY_COUNT)
		kprintf("%u)", lay->size);
	else
		kprintf("%s)", cluster_by_name(by));
	if (sc->plan.shared.end)
		kprintf("; shared region %#llx-%#llx", (unsigned long long)sc->plan.shared.base,
			(unsigned long long)sc->plan.shared.end - 1);
	kprintf("\n");
	for (uint32_t c = 0; c < lay->count && c < 16; c++) {
		const struct mem_partition *p = &sc->plan.part[c];
		kprintf("  cluster %u: cores %u-%u, %llu MiB in %u range%s from %#llx\n", c, c * lay->size,
			(c + 1) * lay->size - 1, (unsigned long long)(p->bytes >> 20), p->n, p->n == 1 ? "" : "s",
			(unsigned long long)p->r[0].base);
	}
	if (lay->count > 16)
		kprintf("  ... %u more clusters\n", lay->count - 16);
}

/* The topology of the cores found, as the boot core's CPUID describes it
 * (one line per core, the first 16); with cluster_size=smt|l2|llc|socket,
 * apic[] reordered so each cluster's cores follow each other, and the
 * cluster size that gives (0: one cluster). */
static uint32_t plan_topology(const struct kernel_boot *kb, uint32_t *apic, uint32_t n)
{
	struct cpu_topology t;
	uint32_t size = kb->opts.cluster_size;
	char line[160];

	arch_cpu_topology(&kb->cpu, &t);
	if (kb->opts.cluster_by != CLUSTER_BY_COUNT)
		size = cluster_topology_plan(kb->opts.cluster_by, &t, apic, n, layout_warn, NULL);
	kprintf("Topology (%s): APIC id bits: thread %u, package from bit %u", t.source, t.smt_shift,
		t.pkg_shift);
	if (t.l2_known)
		kprintf("; L2 shared from bit %u", t.l2_shift);
	if (t.llc_known)
		kprintf("; L%u (last level) from bit %u", t.llc_level, t.llc_shift);
	kprintf("\n");
	for (uint32_t i = 0; i < n && i < 16; i++) {
		cluster_topology_line(&t, apic, n, i, line, sizeof(line));
		kprintf("%s\n", line);
	}
	if (n > 16)
		kprintf("  ... %u more cores\n", n - 16);
	return size;
}

/*
 * This core's LINT0/LINT1 as the MADT's local APIC NMI entries say: those
 * for every core and those for this core's ACPI UID are NMIs, the others
 * masked. Without usable ACPI: the PC's usual wiring, LINT1 the NMI line.
 */
void smp_core_lints(const struct kernel_boot *kb)
{
	static const struct acpi_nmi pc_default = { ACPI_NMI_ALL_CPUS, 1, 0, { false, false } };
	uint32_t self = arch_lapic_id(), uid = 0;
	bool have_uid = false;

	if (kb->acpi_error) {
		arch_lapic_lint_setup(&pc_default, 1, false, 0);
		return;
	}
	for (uint32_t i = 0; i < kb->acpi.cpu_count && !have_uid; i++)
		if (kb->acpi.cpus[i].apic_id == self) {
			uid = kb->acpi.cpus[i].uid;
			have_uid = true;
		}
	arch_lapic_lint_setup(kb->acpi.nmis, kb->acpi.nmi_count, have_uid, uid);
}

/*
 * Which of the listed cores answer (apic[1..n-1]; apic[0] is this core):
 * those are kept, in order, at the front of apic[]; returns how many
 * (this core included). A core that does not answer is reported and left
 * out; test_ap_fail=N makes logical core N stay silent, as a dead core would.
 */
static uint32_t probe_cores(struct kernel_boot *kb, uint32_t *apic, uint32_t n)
{
	uint32_t up = 1;

	if (n > 1 && !arch_smp_prepare(&kb->bm, &kb->cpu, kb->trampoline)) {
		kprintf("SMP: no trampoline page below 1 MiB (or no memory for its tables): the other cores stay halted\n");
		return 1;
	}
	if (n > 1)
		kprintf("SMP: AP trampoline at %#llx; probing %u core%s\n", (unsigned long long)kb->trampoline,
			n - 1, n == 2 ? "" : "s");
	for (uint32_t k = 1; k < n; k++) {
		if (arch_probe_core(apic[k], k != kb->opts.test_ap_fail))
			apic[up++] = apic[k];
		else
			kprintf("SMP: cpu %u (APIC id %u) did not start: left out\n", k, apic[k]);
	}
	return up;
}

/* Each cluster's own view (struct cluster, its cores, its boot memory),
 * written into its copy of .data/.bss; cluster 0's into the image's own. */
static void write_cluster_views(struct kernel_boot *kb, struct smp_scratch *sc, const struct cluster_layout *lay,
				const uint32_t *apic)
{
	for (uint32_t c = lay->count; c-- > 0;) {
		struct cluster ci = {
			.id = c, .count = lay->count, .first_core = c * lay->size, .ncores = lay->size,
			.total_cores = lay->cores, .shared_pa = sc->plan.shared.base,
			.shared_bytes = sc->plan.shared.end - sc->plan.shared.base,
			.part = sc->plan.part[c], .kernel_pml4 = sc->pml4[c], .lock_on = lay->size > 1,
			.lock_stats = kb->opts.lock_stats,
		};
		memcpy(ci.core_apic, apic, sizeof(ci.core_apic));
		for (uint32_t i = 0; i < lay->count; i++)
			ci.part_base[i] = sc->plan.part[i].r[0].base;
		if (c == 0) {
			cluster = ci;
			cluster_cores = sc->cores[0];
			kb->bm = sc->bm[0];
			boot_cpu.sched_core = &sc->cores[0][0];
			break;
		}
		paddr_t d = sc->data_pa[c];
		copy_data(d);
		*(struct cluster *)in_copy(d, &cluster) = ci;
		*(struct core **)in_copy(d, &cluster_cores) = sc->cores[c];
		/* Sanitizer kernel: the cluster's own stack guard (none of its cores has run yet). */
		IF_SANITIZE(*(uintptr_t *)in_copy(d, &__stack_chk_guard) = stack_guard_fresh());
		((struct kernel_boot *)in_copy(d, kb))->bm = sc->bm[c];
	}
}

void smp_boot(struct kernel_boot *kb)
{
	uint32_t *apic = boot_plan.apic, found, n = list_cores(kb, apic, &found), up;
	struct cluster_layout lay;
	struct smp_scratch *sc;
	paddr_t sc_pa;

	smp_core_lints(kb);
	up = probe_cores(kb, apic, n);
	cluster_layout_plan(plan_topology(kb, apic, up), up, &lay, layout_warn, NULL);
	sc_pa = bootmem_alloc(&kb->bm, ALIGN_UP(sizeof(*sc), PAGE_SIZE), PAGE_SIZE, ~0ull);
	if (!sc_pa)
		panic("clusters: no boot memory to plan with");
	sc = memset(phys_to_virt(sc_pa), 0, sizeof(*sc));
	plan_memory(kb, sc, &lay);
	if (sc->plan.shared.end)
		memset(phys_to_virt(sc->plan.shared.base), 0, sc->plan.shared.end - sc->plan.shared.base);
	describe(sc, &lay, (enum cluster_by)kb->opts.cluster_by);
	for (uint32_t c = 0; c < lay.count; c++)
		build_cluster(kb, sc, &lay, apic, c);
	boot_plan.sc = sc;
	boot_plan.cores = lay.cores;
	boot_plan.found = found;
	boot_plan.clusters = lay.count;
	write_cluster_views(kb, sc, &lay, apic);
}

void smp_start_cores(void)
{
	struct smp_scratch *sc = boot_plan.sc;
	uint32_t clusters = boot_plan.clusters;

	for (uint32_t k = 1; k < boot_plan.cores; k++) {
		if (arch_start_core(sc->cpus[k]))
			cores_online++;
		else /* it answered the probe: its cluster counts on it */
			panic("SMP: core %u (APIC id %u) answered, then did not start", k, boot_plan.apic[k]);
	}
	arch_switch_kernel_tables(sc->pml4[0]);
	kprintf("SMP: %u of %u cores online in %u cluster%s%s\n", cores_online, boot_plan.found, clusters,
		clusters == 1 ? "" : "s", boot_plan.found > boot_plan.cores ? " (the other cores stay halted)" : "");
}
