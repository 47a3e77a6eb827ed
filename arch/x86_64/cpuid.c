/* CPU identification and the protection bits the kernel turns on. */
#include "arch/arch.h"
#include "arch/x86.h"
#include "kstring.h"
#include "printf.h"

static void detect_vendor(struct cpu_features *f)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	f->max_leaf = r[0];
	memcpy(f->vendor + 0, &r[1], 4);
	memcpy(f->vendor + 4, &r[3], 4);
	memcpy(f->vendor + 8, &r[2], 4);
	f->vendor[12] = 0;
	cpuid(0x80000000, 0, r);
	f->max_ext_leaf = r[0];
}

static void detect_brand(struct cpu_features *f)
{
	uint32_t r[4];
	size_t start = 0, end;

	f->brand[0] = 0;
	if (f->max_ext_leaf < 0x80000004)
		return;
	for (uint32_t i = 0; i < 3; i++) {
		cpuid(0x80000002 + i, 0, r);
		memcpy(f->brand + 16 * i, r, 16);
	}
	f->brand[48] = 0;
	while (f->brand[start] == ' ')
		start++;
	memmove(f->brand, f->brand + start, 49 - start);
	end = strlen(f->brand);
	while (end && f->brand[end - 1] == ' ')
		f->brand[--end] = 0;
}

static void detect_model(struct cpu_features *f, uint32_t eax)
{
	uint32_t fam = (eax >> 8) & 0xF, model = (eax >> 4) & 0xF;

	if (fam == 0xF)
		fam += (eax >> 20) & 0xFF;
	if (fam == 0x6 || fam >= 0xF)
		model |= ((eax >> 16) & 0xF) << 4;
	f->family = fam;
	f->model = model;
	f->stepping = eax & 0xF;
}

void arch_cpu_detect(struct cpu_features *f)
{
	uint32_t r[4];

	memset(f, 0, sizeof(*f));
	detect_vendor(f);
	detect_brand(f);
	cpuid(1, 0, r);
	detect_model(f, r[0]);
	f->x2apic = r[2] >> 21 & 1;
	f->tsc_deadline = r[2] >> 24 & 1;
	f->pcid = r[2] >> 17 & 1;
	f->xsave = r[2] >> 26 & 1;
	f->apic = r[3] >> 9 & 1;
	f->pge = r[3] >> 13 & 1;
	f->pat = r[3] >> 16 & 1;
	if (f->max_leaf >= 7) {
		cpuid(7, 0, r);
		f->fsgsbase = r[1] & 1;
		f->smep = r[1] >> 7 & 1;
		f->invpcid = r[1] >> 10 & 1;
		f->smap = r[1] >> 20 & 1;
	}
	if (f->max_ext_leaf >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		f->syscall = r[3] >> 11 & 1;
		f->nx = r[3] >> 20 & 1;
		f->page1g = r[3] >> 26 & 1;
		f->rdtscp = r[3] >> 27 & 1;
	}
	if (f->max_ext_leaf >= 0x80000007) {
		cpuid(0x80000007, 0, r);
		f->invariant_tsc = r[3] >> 8 & 1;
	}
}

/* NX (EFER), the PAT (PA1 = write-combining), write protection in ring 0,
 * caches on, global pages, SMEP and SMAP; FSGSBASE off whatever the firmware left (user code must not set
 * the GS base the kernel's SWAPGS exchanges, nor one the next thread sees). */
void arch_cpu_protect(const struct cpu_features *f)
{
	uint64_t cr4 = read_cr4() & ~CR4_FSGSBASE;

	if (f->nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	if (f->pat) /* the same on every core (SDM 11.12.4); only PA1 changes */
		wrmsr(MSR_PAT, PAT_ATOLL);
	/* Write protection in ring 0; caches on, whatever the firmware left
	 * (Bochs' BIOS hands over CR0.CD set). */
	write_cr0((read_cr0() & ~(CR0_CD | CR0_NW)) | CR0_WP);
	if (f->pge)
		cr4 |= CR4_PGE;
	if (f->smep)
		cr4 |= CR4_SMEP;
	if (f->smap)
		cr4 |= CR4_SMAP;
	write_cr4(cr4);
	arch_mce_enable();
}

/* --- topology (cluster_size=smt|l2|llc|socket; docs/clusters.md) --- */

/* Bits needed to number n ids (0 for n <= 1). */
static uint8_t id_bits(uint32_t n)
{
	uint8_t b = 0;

	while (b < 31 && (1u << b) < n)
		b++;
	return b;
}

/* Leaf 0x1F or 0xB: the x2APIC topology levels. SMT is level type 1; the
 * shift of the last level names the package. False if the leaf is empty. */
static bool topo_x2apic_leaf(uint32_t leaf, struct cpu_topology *t)
{
	uint32_t r[4];
	bool any = false;

	for (uint32_t sub = 0; sub < 8; sub++) {
		cpuid(leaf, sub, r);
		uint32_t type = r[2] >> 8 & 0xFF, shift = r[0] & 0x1F;
		if (type == 0)
			break;
		any = true;
		if (type == 1)
			t->smt_shift = (uint8_t)shift;
		t->pkg_shift = (uint8_t)shift;
	}
	return any;
}

/* AMD: 0x8000001E EBX[15:8] threads per core - 1 (with topology
 * extensions), 0x80000008 ECX[15:12] the APIC-id bits of the package
 * (0: ECX[7:0] + 1 threads). */
static bool topo_amd(const struct cpu_features *f, bool topoext, struct cpu_topology *t)
{
	uint32_t r[4];

	if (f->max_ext_leaf < 0x80000008)
		return false;
	cpuid(0x80000008, 0, r);
	t->pkg_shift = (uint8_t)(r[2] >> 12 & 0xF);
	if (!t->pkg_shift)
		t->pkg_shift = id_bits((r[2] & 0xFF) + 1);
	if (topoext && f->max_ext_leaf >= 0x8000001E) {
		cpuid(0x8000001E, 0, r);
		t->smt_shift = id_bits((r[1] >> 8 & 0xFF) + 1);
	}
	return true;
}

/* Leaf 4 (Intel) or 0x8000001D (AMD): the cache descriptors. EAX[4:0]
 * type (0: no more), [7:5] level, [25:14] the addressable ids sharing the
 * cache - 1, which give its shift. */
static bool topo_caches(uint32_t leaf, struct cpu_topology *t)
{
	uint32_t r[4];

	for (uint32_t sub = 0; sub < 16; sub++) {
		cpuid(leaf, sub, r);
		uint32_t type = r[0] & 0x1F, level = r[0] >> 5 & 7;
		uint8_t shift = id_bits((r[0] >> 14 & 0xFFF) + 1);
		if (type == 0)
			break;
		if (type == 1 && level <= 1)
			continue; /* L1 data and instruction caches share with the core */
		if (level == 2 && (type == 2 || type == 3)) {
			t->l2_shift = shift;
			t->l2_known = true;
		}
		if (level >= t->llc_level) {
			t->llc_level = (uint8_t)level;
			t->llc_shift = shift;
			t->llc_known = true;
		}
	}
	return t->llc_known;
}

void arch_cpu_topology(const struct cpu_features *f, struct cpu_topology *t)
{
	static char source[48];
	const char *ids = "cpuid 1", *caches = "no cache leaf";
	uint32_t r[4];
	bool amd = strcmp(f->vendor, "AuthenticAMD") == 0 || strcmp(f->vendor, "HygonGenuine") == 0;
	bool topoext = false;

	memset(t, 0, sizeof(*t));
	if (f->max_ext_leaf >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		topoext = r[2] >> 22 & 1;
	}
	if (f->max_leaf >= 0x1F && topo_x2apic_leaf(0x1F, t))
		ids = "cpuid 0x1f";
	else if (f->max_leaf >= 0xB && topo_x2apic_leaf(0xB, t))
		ids = "cpuid 0xb";
	else if (amd && topo_amd(f, topoext, t))
		ids = "cpuid 0x80000008";
	else {
		cpuid(1, 0, r); /* EBX[23:16]: addressable ids in the package (with HTT) */
		t->pkg_shift = r[3] >> 28 & 1 ? id_bits(r[1] >> 16 & 0xFF) : 0;
	}
	if (f->max_leaf >= 4 && topo_caches(4, t))
		caches = "cpuid 4";
	else if (topoext && f->max_ext_leaf >= 0x8000001D && topo_caches(0x8000001D, t))
		caches = "cpuid 0x8000001d";
	if (t->pkg_shift < t->smt_shift)
		t->pkg_shift = t->smt_shift;
	ksnprintf(source, sizeof(source), "ids: %s, caches: %s", ids, caches);
	t->source = source;
}
