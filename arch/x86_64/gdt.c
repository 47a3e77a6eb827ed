/* Per-core GDT, TSS with IST stacks, and GS base. */
#include "arch/arch.h"
#include "arch/cpu.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "kstring.h"

struct cpu boot_cpu; /* per core: the boot core's, in cluster 0's .bss (the other clusters' copies are unused) */
extern char boot_stack_bottom[], boot_stack_top[];

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static void gdt_fill(struct cpu *c)
{
	uint64_t base = (uint64_t)(uintptr_t)&c->tss, limit = sizeof(c->tss) - 1;

	c->gdt[0] = 0;
	c->gdt[GDT_SLOT(SEL_KCODE)] = 0x00AF9A000000FFFFull; /* kernel code, 64-bit */
	c->gdt[GDT_SLOT(SEL_KDATA)] = 0x00CF92000000FFFFull; /* kernel data */
	c->gdt[GDT_SLOT(SEL_UCODE32)] = 0; /* no 32-bit user code segment (gdt_set_compat32): only STAR's base */
	c->gdt[GDT_SLOT(SEL_UDATA)] = 0x00CFF2000000FFFFull; /* user data */
	c->gdt[GDT_SLOT(SEL_UCODE)] = 0x00AFFA000000FFFFull; /* user code, 64-bit */
	c->gdt[GDT_SLOT(SEL_TSS)] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
				    ((limit >> 16 & 0xF) << 48) | ((base >> 24 & 0xFF) << 56);
	c->gdt[GDT_SLOT(SEL_TSS) + 1] = base >> 32; /* available 64-bit TSS, upper half */
}

/*
 * Slot 3 is where STAR's SYSRET base points (64-bit SYSRET loads CS = base
 * + 16, SS = base + 8 with fixed attributes and reads no descriptor), so it
 * must exist, but it need not be a segment. User code has no use for
 * 32-bit compatibility mode (Atoll has no 32-bit ABI), and every entry to
 * it is a path to get wrong (SYSCALL at CSTAR, IRETQ's limit check on
 * RIP), so by default it is an empty descriptor: a far transfer to 0x1b
 * raises #GP in user mode. compat32=on puts the 32-bit code segment there,
 * so the suite can test the compatibility-mode entry paths.
 */
void gdt_set_compat32(struct cpu *c, bool on)
{
	c->gdt[GDT_SLOT(SEL_UCODE32)] = on ? 0x00CFFA000000FFFFull : 0;
}

/* Each IST stack's top 16 bytes hold the struct cpu's address (the NMI
 * and machine-check entry find their core there, whatever GS holds); the
 * CPU's frame goes below them. */
/* Every struct cpu starts zeroed (the boot core's in .bss, the others from
 * alloc_zeroed), so the TSS is written field by field, never cleared: an
 * AP refills its TSS in ap_entry while the trampoline's ltr has it live,
 * and an NMI there must still find its IST pointer. */
static void tss_fill(struct cpu *c)
{
	for (int i = 0; i < 3; i++) {
		uint8_t *top = c->ist_stack[i] + IST_STACK_SIZE - IST_TOP_RESERVED;
		*(struct cpu **)top = c;
		c->tss.ist[i] = (uint64_t)(uintptr_t)top;
	}
	c->tss.iomap_base = sizeof(c->tss); /* no I/O bitmap: user port I/O faults */
}

/* Reload the segment registers after lgdt; CS through a far return. */
static void segments_reload(void)
{
	load_segments(SEL_KCODE, SEL_KDATA);
}

void cpu_tables_fill(struct cpu *c, uint32_t index)
{
	c->self = c;
	c->index = index;
	gdt_fill(c);
	tss_fill(c);
}

void cpu_tables_init(struct cpu *c, uint32_t index)
{
	struct desc_ptr p = { sizeof(c->gdt) - 1, (uint64_t)(uintptr_t)c->gdt };

	cpu_tables_fill(c, index);
	lgdt(&p);
	segments_reload();
	ltr(SEL_TSS);
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

bool cpu_stack_contains(vaddr_t lo, vaddr_t hi)
{
	struct cpu *c = this_cpu();
	vaddr_t b = (vaddr_t)(uintptr_t)boot_stack_bottom, t = (vaddr_t)(uintptr_t)boot_stack_top;

	if (lo >= b && hi <= t && lo <= hi)
		return true;
	if (c->kstack_bottom && lo >= c->kstack_bottom && hi <= c->kstack_top && lo <= hi)
		return true;
	for (int i = 0; i < 3; i++) {
		b = (vaddr_t)(uintptr_t)c->ist_stack[i];
		if (lo >= b && hi <= b + IST_STACK_SIZE && lo <= hi)
			return true;
	}
	return false;
}

/* Descriptor tables and trap entry for the boot core. */
void arch_cpu_early_init(void)
{
	cpu_tables_init(&boot_cpu, 0);
	idt_init();
	arch_pic_disable();
}
