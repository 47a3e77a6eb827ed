/*
 * NMIs and machine checks, entered through ist.asm on their own IST stacks
 * with GS set to this core's struct cpu whatever it held. An NMI is reported
 * (which core, where) and the core carries on: Atoll sends no NMIs of its own
 * (no panic-stop NMI), so every one is news. A machine check prints the
 * global status and every bank that holds an error, on every console, and
 * stops the run: CR4.MCE is on (arch_mce_enable), so a machine check is this
 * report rather than a silent reset. MSRs are read only as far as CPUID
 * (MCE, MCA) and MCG_CAP's bank count say they exist; a bank's ADDR and MISC
 * only when its status says they are valid.
 */
#include "arch/arch.h"
#include "arch/cpu.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "console.h"
#include "panic.h"

#define CPUID1_EDX_MCE (1u << 7)
#define CPUID1_EDX_MCA (1u << 14)
#define CR4_MCE (1ull << 6)
#define MSR_MCG_CAP 0x179
#define MSR_MCG_STATUS 0x17A
#define MSR_MC_STATUS(i) (0x401u + 4 * (i))
#define MSR_MC_ADDR(i) (0x402u + 4 * (i))
#define MSR_MC_MISC(i) (0x403u + 4 * (i))
#define MC_BANKS_MAX 32 /* MCG_CAP.Count is 8 bits; the architectural MSR range holds 32 */
#define MCI_VAL (1ull << 63)
#define MCI_OVER (1ull << 62)
#define MCI_UC (1ull << 61)
#define MCI_EN (1ull << 60)
#define MCI_MISCV (1ull << 59)
#define MCI_ADDRV (1ull << 58)
#define MCI_PCC (1ull << 57)

typedef unsigned long long ull;

static uint32_t cpuid1_edx(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	return r[3];
}

/* Banks this CPU has: 0 without the machine-check architecture. */
static uint32_t mc_banks(void)
{
	if (!(cpuid1_edx() & CPUID1_EDX_MCA))
		return 0;
	return MIN((uint32_t)(rdmsr(MSR_MCG_CAP) & 0xFF), (uint32_t)MC_BANKS_MAX);
}

/* One bank that holds an error: status, what it says, ADDR/MISC if valid. */
static void report_bank(uint32_t i, uint64_t st)
{
	kprintf("  bank %2u: MCi_STATUS %016llx%s%s%s%s%s", i, (ull)st, st & MCI_UC ? " uncorrected" : " corrected",
		st & MCI_PCC ? " context-corrupt" : "", st & MCI_OVER ? " overflow" : "",
		st & MCI_EN ? " enabled" : "", (st & 0xFFFF) ? "" : " (no MCA error code)");
	if (st & MCI_ADDRV)
		kprintf(" ADDR %016llx", (ull)rdmsr(MSR_MC_ADDR(i)));
	if (st & MCI_MISCV)
		kprintf(" MISC %016llx", (ull)rdmsr(MSR_MC_MISC(i)));
	kprintf("\n");
}

/* Every bank with MCi_STATUS.VAL; returns how many. */
static uint32_t report_banks(uint32_t banks)
{
	uint32_t valid = 0;

	for (uint32_t i = 0; i < banks; i++) {
		uint64_t st = rdmsr(MSR_MC_STATUS(i));
		if (st & MCI_VAL) {
			report_bank(i, st);
			valid++;
		}
	}
	return valid;
}

static bool on_ist(const struct cpu *c, int ist, const void *p)
{
	const uint8_t *b = c->ist_stack[ist - 1];

	return (const uint8_t *)p >= b && (const uint8_t *)p < b + IST_STACK_SIZE;
}

static NORETURN void machine_check(const struct trapframe *tf, const struct cpu *c)
{
	uint32_t banks = mc_banks(), valid;

	kprintf("\n*** MACHINE CHECK (#MC, vector 18) on cpu %u (APIC id %u) at RIP %#llx, %s mode ***\n",
		c->index, c->apic_id, (ull)tf->rip, (tf->cs & 3) ? "user" : "kernel");
	if (!banks) {
		kprintf("  no machine-check banks (CPUID MCA clear or MCG_CAP count 0)\n");
	} else {
		uint64_t gs = rdmsr(MSR_MCG_STATUS);
		kprintf("  MCG_CAP %#llx (%u banks), MCG_STATUS %#llx%s%s%s\n", (ull)rdmsr(MSR_MCG_CAP), banks, (ull)gs,
			gs & 1 ? " RIPV" : "", gs & 2 ? " EIPV" : "", gs & 4 ? " MCIP" : "");
		valid = report_banks(banks);
		kprintf("  %u of %u banks hold an error\n", valid, banks);
	}
	kprintf("  handler on the #MC IST stack: %s\n", on_ist(c, IST_MACHINE_CHECK, tf) ? "yes" : "NO");
	kprintf("  a machine check is the hardware reporting an error: note the banks above\n");
	kernel_fatal_trap(VEC_MC);
}

static void nmi(const struct trapframe *tf, struct cpu *c)
{
	c->nmis++;
	c->nmi_frame = (uint64_t)(uintptr_t)tf;
	kprintf("NMI on cpu %u (APIC id %u) at RIP %#llx in %s mode%s; carrying on\n", c->index, c->apic_id,
		(ull)tf->rip, (tf->cs & 3) ? "user" : "kernel",
		on_ist(c, IST_NMI, tf) ? "" : " (NOT on the NMI stack)");
}

void trap_ist(struct trapframe *tf);
void trap_ist(struct trapframe *tf)
{
	struct cpu *c = this_cpu();

	if (tf->vector == VEC_MC)
		machine_check(tf, c);
	nmi(tf, c);
}

/* This core: CR4.MCE where the CPU has machine checks. Banks are left as
 * the firmware set them (it owns MCi_CTL). */
void arch_mce_enable(void)
{
	if (cpuid1_edx() & CPUID1_EDX_MCE)
		write_cr4(read_cr4() | CR4_MCE);
}

bool arch_mce_enabled(void)
{
	return (read_cr4() & CR4_MCE) != 0;
}

/* Boot core, once: errors the banks kept from before this boot (the reason
 * for a last reset, say), left in place for the firmware and the OS after. */
void arch_mce_boot_report(void)
{
	uint32_t banks = mc_banks(), valid;

	if (!banks) {
		kprintf("Machine checks: %s\n", arch_mce_enabled() ? "on (CR4.MCE), no banks" : "not supported");
		return;
	}
	kprintf("Machine checks: on (CR4.MCE), %u banks\n", banks);
	valid = report_banks(banks);
	if (valid)
		kprintf("  %u banks hold errors logged before this boot\n", valid);
}

uint64_t arch_nmi_count(void)
{
	return this_cpu()->nmis;
}

/* Test only (test=fault:mc): the #MC entry through `int $18`, on its IST
 * stack like a real one; the banks are read as in a real one. */
void arch_machine_check_test(void)
{
	__asm__ volatile("int $18" ::: "memory");
}
