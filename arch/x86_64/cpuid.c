/* CPU identification and the protection bits the kernel turns on. */
#include "arch/arch.h"
#include "arch/x86.h"
#include "kstring.h"

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
}
