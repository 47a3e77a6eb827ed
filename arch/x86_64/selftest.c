/* x86-64 boot self-tests: traps are delivered and recoverable, the kernel
 * image really is W^X, the protection bits are on, the entry MSRs are set
 * and a frame the CPU refuses at the return to user mode is caught, the TSC
 * behaves, the local APIC runs in the mode CPUID allows. */
#include "arch/arch.h"
#include "arch/cpu.h"
#include "arch/regs.h"
#include "arch/timer.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "ktest.h"
#include "layout.h"
#include "smp.h"

#include "arch/pte.h"

#define ICR_NMI 0x4400 /* delivery mode NMI, level assert */

extern char boot_stack_guard[];
/* This file's globals: the boot core's self-tests only (cluster 0, at boot). */
static volatile uintptr_t probe_addr;
static uint8_t data_ret_insn[16] __attribute__((aligned(16))) = { 0xC3 }; /* ret, in .data */
static const uint64_t rodata_word = 42;

static void do_int3(void) { int3(); }
static void do_ud2(void) { ud2(); }
static void do_div0(void) { div_by_zero(); }
static void do_write(void) { *(volatile uint64_t *)probe_addr = 1; }
static void do_read(void) { (void)*(volatile uint64_t *)probe_addr; }
static void do_exec(void) { ((void (*)(void))probe_addr)(); }

void arch_divide_error(void)
{
	div_by_zero();
}

/* Probe fn with probe_addr = addr; expect `vector` and, if err_mask, error
 * bits (error & err_mask) == err_want. */
static void expect_fault(const char *what, uint64_t vector, void (*fn)(void), uintptr_t addr,
			 uint64_t err_mask, uint64_t err_want)
{
	struct trap_record r;
	bool trapped;

	probe_addr = addr;
	trapped = trap_probe(vector, fn, &r);
	ktest_result(trapped && r.vector == vector && (r.error & err_mask) == err_want &&
			     (vector != VEC_PF || r.cr2 == addr),
		     "%s raises %s (error %#llx)", what, trap_name(vector),
		     (unsigned long long)r.error);
}

/* Each IST entry points IST_TOP_RESERVED below its stack's top, where the
 * core's struct cpu address is (the NMI and #MC entry read it there). */
static bool ist_ok(const struct cpu *c)
{
	for (int i = 0; i < 3; i++) {
		const uint8_t *top = c->ist_stack[i] + IST_STACK_SIZE - IST_TOP_RESERVED;
		if (c->tss.ist[i] != (uint64_t)(uintptr_t)top || *(struct cpu *const *)top != c)
			return false;
	}
	return true;
}

static void test_tables(void)
{
	uint16_t tr = str();
	struct cpu *c = this_cpu();

	ktest_result(c == &boot_cpu && c->self == c, "GS base reaches the boot core's struct cpu");
	ktest_result(tr == SEL_TSS, "task register holds the TSS selector");
	ktest_result(ist_ok(c), "IST stacks set for #DF, NMI and #MC, the struct cpu at each top");
	ktest_result(!(read_rflags() & RFLAGS_IF), "interrupts are off in the kernel");
}

static void test_traps(void)
{
	expect_fault("int3", VEC_BP, do_int3, 0, 0, 0);
	expect_fault("ud2", VEC_UD, do_ud2, 0, 0, 0);
	expect_fault("division by zero", VEC_DE, do_div0, 0, 0, 0);
	expect_fault("non-canonical write", VEC_GP, do_write, 0x8000000000000000ull, 0, 0);
	expect_fault("read of unmapped low memory", VEC_PF, do_read, 0x1000, 0x7, 0x0);
	expect_fault("write to kernel text", VEC_PF, do_write, (uintptr_t)__text_start + 64, 0x3, 0x3);
	expect_fault("write to kernel rodata", VEC_PF, do_write, (uintptr_t)&rodata_word, 0x3, 0x3);
	expect_fault("touch of the boot stack guard page", VEC_PF, do_read,
		     (uintptr_t)boot_stack_guard + 8, 0x1, 0x0);
}

/*
 * The return to user mode, driven with a frame the CPU must refuse: the
 * kernel code selector as CS, which trap_return_iret turns into 0x0b (RPL
 * 3, DPL 0), so the IRETQ raises #GP(0x08) with the user's GS loaded (were
 * CS not forced to ring 3, the IRETQ would "return" to ring 0 and fault at
 * the user address there: an unexpected kernel #PF). trap.asm must
 * recognise the #GP by its RIP, swap back to the kernel's GS and hand it to
 * trap_return_fault, where the probe catches it (for a real thread it
 * becomes the thread's fault). The SYSRET path must send a frame with a
 * RIP at or above USER_TOP (here non-canonical) to IRETQ rather than run
 * SYSRET with it. (A non-canonical RIP alone would not do for IRETQ: QEMU's
 * TCG loads it and faults in user mode at the fetch, where Bochs and
 * hardware fault at the IRETQ.) The frame and a scratch kernel stack stand
 * in for a thread's; the real ones are restored.
 */
extern char trap_return_iret[], arch_return_unlocked[], syscall_entry[], syscall_entry_compat[];
static struct trapframe probe_frame;
static uint8_t probe_kstack[4096] __attribute__((aligned(16)));

static void do_trap_return(void) { ((void (*)(void))(uintptr_t)trap_return_iret)(); }
static void do_syscall_return(void) { ((void (*)(void))(uintptr_t)arch_return_unlocked)(); }

static void return_probe(const char *what, void (*fn)(void), uint64_t vector, uint64_t rip)
{
	struct cpu *c = this_cpu();
	uint64_t end = c->cur_regs_end, top = c->kstack_top;
	struct trap_record r;
	bool trapped;

	probe_frame = (struct trapframe){ .rip = rip, .cs = SEL_KCODE, .rflags = USER_RFLAGS_DEFAULT,
					  .rsp = (uint64_t)(uintptr_t)(probe_kstack + 2048),
					  .ss = SEL_UDATA | 3, .vector = vector };
	c->cur_regs_end = (uint64_t)(uintptr_t)(&probe_frame + 1);
	c->kstack_top = (uint64_t)(uintptr_t)(probe_kstack + sizeof(probe_kstack));
	trapped = trap_probe(VEC_GP, fn, &r);
	c->cur_regs_end = end;
	c->kstack_top = top;
	ktest_result(trapped && rdmsr(MSR_GS_BASE) == (uint64_t)(uintptr_t)c && r.rip == rip &&
			     r.error == SEL_KCODE,
		     "%s: a frame the CPU refuses is a #GP at the IRETQ (error %#llx), caught by its RIP, kernel GS back",
		     what, (unsigned long long)r.error);
}

static void test_entry_paths(void)
{
	ktest_result(rdmsr(MSR_LSTAR) == (uint64_t)(uintptr_t)syscall_entry &&
			     rdmsr(MSR_CSTAR) == (uint64_t)(uintptr_t)syscall_entry_compat &&
			     (rdmsr(MSR_FMASK) & SYSCALL_FMASK) == SYSCALL_FMASK,
		     "SYSCALL enters at LSTAR (64-bit) or CSTAR (compatibility mode), IF TF DF NT AC masked");
	ktest_result((rdmsr(MSR_SYSENTER_CS) & 0xFFFC) == 0, "SYSENTER_CS is zero: SYSENTER raises #GP");
	return_probe("IRETQ path", do_trap_return, VEC_NONE, 0x1000);
	return_probe("SYSRET path", do_syscall_return, VEC_SYSCALL, 0x0000800000000000ull);
}

static void test_nx(const struct cpu_features *f)
{
	if (!f->nx) {
		ktest_result(true, "execute from kernel data faults # SKIP no NX on this CPU");
		return;
	}
	expect_fault("execute from kernel data", VEC_PF, do_exec, (uintptr_t)data_ret_insn, 0x11, 0x11);
	expect_fault("execute from the direct map", VEC_PF, do_exec,
		     (uintptr_t)phys_to_virt(cluster.part.r[0].base), 0x11, 0x11);
}

static void test_wx(const struct cpu_features *f)
{
	uint64_t t = arch_pte_flags((vaddr_t)(uintptr_t)__text_start);
	uint64_t r = arch_pte_flags((vaddr_t)(uintptr_t)&rodata_word);
	uint64_t d = arch_pte_flags((vaddr_t)(uintptr_t)data_ret_insn);
	uint64_t m = arch_pte_flags((vaddr_t)(uintptr_t)phys_to_virt(cluster.part.r[0].base));
	uint64_t nx = f->nx ? PTE_NX : 0;

	ktest_result(t && !(t & PTE_W) && !(t & PTE_NX), "text mapped read-only and executable");
	ktest_result(r && !(r & PTE_W) && (r & PTE_NX) == nx, "rodata mapped read-only, no-execute");
	ktest_result(d && (d & PTE_W) && (d & PTE_NX) == nx, "data mapped writable, no-execute");
	ktest_result(m && (m & PTE_W) && (m & PTE_NX) == nx, "direct map writable, no-execute");
	ktest_result(arch_pte_flags(0x200000) == 0 && arch_pte_flags(0) == 0,
		     "boot identity mapping is gone");
}

static void test_protection(const struct cpu_features *f)
{
	uint64_t cr4 = read_cr4();

	ktest_result((read_cr0() & CR0_WP) != 0, "CR0.WP on");
	ktest_result(!f->nx || (rdmsr(MSR_EFER) & EFER_NXE), "EFER.NXE on where NX exists");
	ktest_result(!!(cr4 & CR4_SMEP) == f->smep, "CR4.SMEP on exactly where the CPU has SMEP");
	ktest_result(!!(cr4 & CR4_SMAP) == f->smap, "CR4.SMAP on exactly where the CPU has SMAP");
	ktest_result(!!(cr4 & CR4_PCIDE) == f->pcid, "CR4.PCIDE on exactly where the CPU has PCID (%s)",
		     f->pcid ? "address-space switches keep the TLB" : "no PCID: switches flush");
	ktest_result(!(cr4 & CR4_FSGSBASE), "CR4.FSGSBASE off: user code cannot set the FS or GS base");
}

static void test_tsc(const struct cpu_features *f)
{
	uint64_t prev = arch_timestamp(), now;
	bool mono = true;

	for (int i = 0; i < 1000; i++) {
		now = arch_timestamp();
		mono &= now > prev;
		prev = now;
	}
	ktest_result(mono, "TSC strictly increases over 1000 reads");
	ktest_result(f->tsc_hz >= 10000000ull && f->tsc_hz <= 20000000000ull,
		     "TSC frequency %llu Hz is plausible (%s)", (unsigned long long)f->tsc_hz,
		     f->tsc_source);
}

/* This core's APIC id as CPUID reports it: leaf 0xB (32 bits) where it
 * exists, else the 8-bit initial id of leaf 1. */
static uint32_t cpuid_apic_id(const struct cpu_features *f)
{
	uint32_t r[4];

	if (f->max_leaf >= 0xB) {
		cpuid(0xB, 0, r);
		if (r[1])
			return r[3];
	}
	cpuid(1, 0, r);
	return r[1] >> 24;
}

static void test_apic(const struct cpu_features *f)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	const char *mode = arch_lapic_x2apic() ? "x2APIC" : "xAPIC";

	ktest_result(arch_lapic_x2apic() == f->x2apic, "local APIC in %s mode, as CPUID allows", mode);
	ktest_result((base & APIC_BASE_ENABLE) && !!(base & APIC_BASE_X2APIC) == f->x2apic,
		     "IA32_APIC_BASE: enabled, x2APIC bit %s", f->x2apic ? "set" : "clear");
	ktest_result(arch_lapic_id() == cpuid_apic_id(f), "local APIC id %u (read in %s mode) matches CPUID",
		     arch_lapic_id(), mode);
	ktest_result(!arch_lapic_timer_deadline() || (f->tsc_deadline && f->tsc_hz != 0),
		     "APIC timer in %s mode, as CPUID and the errata list allow (%s)",
		     arch_lapic_timer_deadline() ? "TSC-deadline" : "periodic", timer_mode_reason());
}

/* User FPU/SSE (fpu.c): SSE on with FXSAVE state, XSAVE off (so AVX
 * faults), x87 native errors, and TS set while no thread's state is live. */
static void test_fpu_setup(void)
{
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();

	ktest_result((cr4 & CR4_OSFXSR) && (cr4 & CR4_OSXMMEXCPT) && !(cr4 & CR4_OSXSAVE),
		     "CR4: OSFXSR and OSXMMEXCPT on, OSXSAVE off");
	ktest_result(!(cr0 & CR0_EM) && (cr0 & CR0_MP) && (cr0 & CR0_NE) && (cr0 & CR0_TS),
		     "CR0: EM clear, MP and NE set, TS set (no thread's FPU state is live)");
}

/* The 8259s masked on their own vectors; CR4.MCE where CPUID has machine
 * checks; a real NMI (from this core's local APIC to itself) is reported on
 * the NMI IST stack and the core carries on. */
static void test_nmi_mce(void)
{
	struct cpu *c = this_cpu();
	uint64_t before = c->nmis, start;
	uint32_t r[4];
	bool mce;

	cpuid(1, 0, r);
	mce = r[3] >> 7 & 1;
	ktest_result(arch_pic_masks() == 0xFFFF, "8259 PICs fully masked (%#x), on vectors %#x-%#x",
		     arch_pic_masks(), VEC_PIC_BASE, VEC_PIC_BASE + 15);
	ktest_result(arch_mce_enabled() == mce, "CR4.MCE %s (CPUID machine checks: %s)",
		     arch_mce_enabled() ? "on" : "off", mce ? "yes" : "no");
	arch_lapic_ipi(arch_lapic_id(), ICR_NMI);
	for (start = rdtsc_ordered(); __atomic_load_n(&c->nmis, __ATOMIC_RELAXED) == before &&
				       rdtsc_ordered() - start < 2000000000ull;)
		cpu_pause();
	ktest_result(c->nmis == before + 1 && c->nmi_frame >= (uint64_t)(uintptr_t)c->ist_stack[IST_NMI - 1] &&
			     c->nmi_frame < (uint64_t)(uintptr_t)c->ist_stack[IST_NMI - 1] + IST_STACK_SIZE,
		     "an NMI sent to this core is reported on its NMI stack, then the core carries on (%llu)",
		     (unsigned long long)(c->nmis - before));
}

void arch_boot_selftests(const struct cpu_features *f)
{
	test_tables();
	test_traps();
	test_entry_paths();
	test_nx(f);
	test_wx(f);
	test_protection(f);
	test_tsc(f);
	test_apic(f);
	test_nmi_mce();
	arch_time_selftests(f);
	test_fpu_setup();
	arch_paging_selftests();
}
