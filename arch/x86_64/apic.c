/*
 * The local APIC and the I/O APICs: the timer that drives timeslices
 * (periodic, or TSC-deadline where CPUID has it and no erratum is listed), end-of-interrupt, IPIs, and the routing of device lines to
 * vectors. The local APIC runs in x2APIC mode (register at offset R is MSR
 * 0x800 + R/16, 32-bit ids, the ICR one 64-bit MSR) where CPUID has x2APIC,
 * else in xAPIC mode (MMIO through its uncached device mapping). ISA IRQs follow the ACPI
 * MADT's interrupt source overrides to their GSIs; every I/O APIC of the
 * MADT is used, a GSI going to the one whose range holds it.
 */
#include "acpi.h"
#include "arch/arch.h"
#include "arch/cpu.h"
#include "arch/ioapic_route.h"
#include "arch/timer.h"
#include "arch/trap.h"
#include "irq.h"
#include "arch/x86.h"
#include "console.h"
#include "layout.h"
#include "timecal.h"
#include "panic.h"

#define LAPIC_DEFAULT 0xFEE00000ull
#define IOAPIC_DEFAULT 0xFEC00000ull
#define X2APIC_MSR(off) (0x800u + (off) / 16)
#define LAPIC_ID 0x20
#define LAPIC_EOI 0xB0
#define LAPIC_SVR 0xF0
#define LAPIC_IRR 0x200 /* 8 registers of 32 bits, 0x10 apart: vectors 0-255 */
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310 /* xAPIC only */
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3E0
#define SVR_ENABLE (1u << 8)
#define ICR_PENDING (1u << 12) /* delivery status, xAPIC only */
#define TIMER_DIV_16 0x3
#define TIMER_ONESHOT (0u << 17)
#define TIMER_PERIODIC (1u << 17)
#define TIMER_TSC_DEADLINE (2u << 17)
#define MSR_TSC_DEADLINE 0x6E0
#define MSR_BIOS_SIGN_ID 0x8B /* microcode revision in bits 63:32 after CPUID 1 */
#define LVT_MASKED (1u << 16)
#define LVT_NMI (4u << 8)            /* delivery mode NMI */
#define LVT_ACTIVE_LOW (1u << 13)
#define IOREDTBL(pin) (0x10 + 2 * (pin))
#define IOREDTBL_ACTIVE_LOW (1u << 13)
#define IOREDTBL_LEVEL (1u << 15)
#define IOREDTBL_MASKED (1u << 16)
#define ISA_IRQS 16
#define NO_GSI 0xFFFFFFFFu
#define IOAPIC_MAX ACPI_MAX_IOAPICS

_Static_assert(VEC_IRQ_BASE + IRQ_MAX <= VEC_PIC_BASE, "device vectors below the 8259's");
_Static_assert(VEC_PIC_BASE + 16 <= VEC_KICK && VEC_PIC_BASE > VEC_TIMER, "8259 vectors collide with nothing");

/* Where an IRQ goes: a GSI (an I/O APIC's pin) and its trigger mode. */
struct irq_route {
	uint32_t gsi; /* NO_GSI: nowhere */
	bool level, active_low;
};

#define ISA_ROUTE(n) { n, false, false }

/*
 * Written by the boot core only. The mode, MMIO base and timer count in
 * arch_apic_calibrate, before any other core starts; from then on every core
 * reads them. The routes and the I/O APIC fields during boot. Per cluster
 * (copied .data): the copies are made before arch_ioapic_init, so only
 * cluster 0's has I/O APIC pins (docs/clusters.md §5).
 */
static struct {
	bool x2apic;
	bool calibrated;
	paddr_t lapic; /* xAPIC MMIO base */
	uintptr_t lapic_va; /* its uncached device mapping (arch_apic_map) */
	uint32_t ticks_per_ms;
	uint32_t timer_count; /* initial count of one timer period */
	enum timer_mode mode; /* periodic; TSC-deadline where CPUID has it and it is safe */
	const char *mode_why; /* the rule that chose it, for the boot log */
	uint64_t tsc_period;  /* TSC ticks of one timer period (the armed modes' due time) */
	uint32_t ioapic_count;                 /* 0 until arch_ioapics_init */
	paddr_t ioapic[IOAPIC_MAX];            /* MMIO bases */
	uintptr_t ioapic_va[IOAPIC_MAX];       /* their uncached device mappings, 0 if none */
	uint8_t ioapic_id[IOAPIC_MAX];         /* their MADT ids */
	struct ioapic_range ioapic_range[IOAPIC_MAX];
	uint32_t gsi_end;                      /* one past the highest GSI served */
	uint32_t ioapic_dest; /* the local APIC id every line goes to */
	struct irq_route isa[ISA_IRQS];
} apic = {
	.lapic = LAPIC_DEFAULT,
	.lapic_va = DMAP_BASE + LAPIC_DEFAULT, /* the loader's early map, until arch_apic_map */
	.isa = { ISA_ROUTE(0), ISA_ROUTE(1), ISA_ROUTE(2), ISA_ROUTE(3), ISA_ROUTE(4), ISA_ROUTE(5),
		 ISA_ROUTE(6), ISA_ROUTE(7), ISA_ROUTE(8), ISA_ROUTE(9), ISA_ROUTE(10), ISA_ROUTE(11),
		 ISA_ROUTE(12), ISA_ROUTE(13), ISA_ROUTE(14), ISA_ROUTE(15) },
};

static uint32_t apic_ucode; /* microcode revision, read by deadline_trusted */

static uint32_t lapic_read(uint32_t off)
{
	if (apic.x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR(off));
	return *(volatile uint32_t *)(apic.lapic_va + off);
}

static void lapic_write(uint32_t off, uint32_t v)
{
	if (apic.x2apic)
		wrmsr(X2APIC_MSR(off), v);
	else
		*(volatile uint32_t *)(apic.lapic_va + off) = v;
}

static bool cpu_has_x2apic(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	return r[2] >> 21 & 1;
}

static bool cpu_has_tsc_deadline(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	return r[2] >> 24 & 1;
}

/* Global enable, then x2APIC mode if chosen: disabled -> xAPIC -> x2APIC,
 * the only legal path (a direct disabled -> x2APIC write is invalid). */
void arch_lapic_enable(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_ENABLE)) {
		base |= APIC_BASE_ENABLE;
		wrmsr(MSR_APIC_BASE, base);
	}
	if (apic.x2apic && !(base & APIC_BASE_X2APIC))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_X2APIC);
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
}

bool arch_lapic_x2apic(void)
{
	return apic.x2apic;
}

uint32_t arch_lapic_id(void)
{
	uint32_t id = lapic_read(LAPIC_ID);

	return apic.x2apic ? id : id >> 24;
}

static const char *timer_mode_name(enum timer_mode m)
{
	return m == TIMER_MODE_DEADLINE ? "TSC-deadline" : m == TIMER_MODE_ONESHOT ? "one-shot" : "periodic";
}

static void read_microcode_rev(void)
{
	uint32_t r[4];

	wrmsr(MSR_BIOS_SIGN_ID, 0);
	cpuid(1, 0, r);
	apic_ucode = (uint32_t)(rdmsr(MSR_BIOS_SIGN_ID) >> 32);
}

/* Whether TSC-deadline mode can be used: CPUID has it, the TSC rate is
 * known, and the errata list (kernel/boot/timecal.c) does not rule out
 * this CPU and microcode. The revision MSR (architectural on Intel family
 * 6) is read under a probe: a hypervisor may refuse it. */
static bool deadline_trusted(uint64_t tsc_hz, const char **why)
{
	uint32_t r[4], v[4], fam, model;
	struct trap_record rec;
	bool intel, known;

	if (!cpu_has_tsc_deadline() || !tsc_hz) {
		*why = tsc_hz ? "CPUID has no TSC-deadline" : "TSC rate unknown";
		return false;
	}
	cpuid(0, 0, v);
	intel = v[1] == 0x756e6547 && v[3] == 0x49656e69 && v[2] == 0x6c65746e; /* GenuineIntel */
	cpuid(1, 0, r);
	fam = (r[0] >> 8) & 0xF;
	model = (r[0] >> 4) & 0xF;
	if (fam == 6 || fam == 0xF)
		model |= ((r[0] >> 16) & 0xF) << 4;
	if (fam == 0xF)
		fam += (r[0] >> 20) & 0xFF;
	known = intel && fam == 6 && !trap_probe(13, read_microcode_rev, &rec);
	return timecal_deadline_safe(intel, fam, model, r[0] & 0xF, apic_ucode, known, why);
}

/* Timer ticks (divided by 16) in 1 ms of TSC time; leaves the timer stopped. */
static uint32_t measure_ticks_per_ms(uint64_t tsc_hz)
{
	uint64_t start, wait = tsc_hz / 1000;
	uint32_t left;

	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, 0xFFFFFFFFu);
	start = rdtsc_ordered();
	while (rdtsc_ordered() - start < wait)
		cpu_pause();
	left = lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);
	return 0xFFFFFFFFu - left;
}

/* The median of TIMECAL_RUNS measurements: one disturbed millisecond (an
 * SMI, a preempted vCPU) would otherwise set every core's period. */
static uint32_t median_ticks_per_ms(uint64_t tsc_hz)
{
	uint64_t runs[TIMECAL_RUNS];
	uint32_t spread;
	unsigned kept;

	for (unsigned i = 0; i < TIMECAL_RUNS; i++)
		runs[i] = measure_ticks_per_ms(tsc_hz);
	return (uint32_t)timecal_median(runs, TIMECAL_RUNS, &kept, &spread);
}

/* The local APIC's registers through an uncached device mapping; until
 * this runs (boot core, before the final tables are loaded) they are read
 * through the loader's early map. */
void arch_apic_map(void)
{
	paddr_t pa = rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR;

	apic.lapic = pa ? pa : LAPIC_DEFAULT;
	apic.lapic_va = (uintptr_t)arch_map_device(apic.lapic, PAGE_SIZE, MEM_UC);
	if (!apic.lapic_va)
		panic("APIC: no room in the device window for the local APIC");
}

void arch_apic_calibrate(uint64_t tsc_hz, uint32_t period_ms)
{
	uint64_t count;

	if (apic.calibrated)
		return; /* written once: other cores may be reading it */
	apic.x2apic = cpu_has_x2apic();
	arch_lapic_enable();
	apic.ticks_per_ms = MAX(median_ticks_per_ms(tsc_hz ? tsc_hz : 1000000000ull), 1u);
	count = (uint64_t)apic.ticks_per_ms * MAX(period_ms, 1u);
	apic.timer_count = (uint32_t)MIN(count, 0xFFFFFFFFull);
	/* TSC-deadline mode where the CPU has it, the TSC rate is known and
	 * no erratum says a deadline may be lost: the period is then counted
	 * by the TSC itself, not the bus clock. */
	apic.mode = deadline_trusted(tsc_hz, &apic.mode_why) ? TIMER_MODE_DEADLINE : TIMER_MODE_PERIODIC;
	apic.tsc_period = tsc_hz / 1000 * MAX(period_ms, 1u);
	apic.calibrated = true;
	if (apic.x2apic)
		kprintf("APIC: x2APIC mode, boot core id %u", arch_lapic_id());
	else
		kprintf("APIC: xAPIC at %#llx, boot core id %u", (unsigned long long)apic.lapic, arch_lapic_id());
	kprintf("; timer: %s, %u ms period (%s)\n", timer_mode_name(apic.mode), MAX(period_ms, 1u),
		apic.mode_why);
}

/* Arm this core's next tick in an armed mode: the due time first (what
 * the watchdog checks), then the hardware, unless the test knob drops it. */
static void timer_arm(struct cpu *c)
{
	uint64_t now = rdtsc_ordered();

	c->timer_due = now + apic.tsc_period;
	if (c->timer_drop) {
		c->timer_drop--; /* as if the hardware lost it */
		return;
	}
	if (c->timer_mode == TIMER_MODE_DEADLINE)
		wrmsr(MSR_TSC_DEADLINE, c->timer_due);
	else
		lapic_write(LAPIC_TIMER_INIT, apic.timer_count);
}

static void timer_start_mode(enum timer_mode m)
{
	struct cpu *c = this_cpu();

	lapic_write(LAPIC_TIMER_INIT, 0);
	if (cpu_has_tsc_deadline())
		wrmsr(MSR_TSC_DEADLINE, 0);
	c->timer_due = 0;
	c->timer_mode = (uint8_t)m;
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	if (m == TIMER_MODE_DEADLINE) {
		lapic_write(LAPIC_LVT_TIMER, TIMER_TSC_DEADLINE | VEC_TIMER);
		__asm__ volatile("mfence" ::: "memory"); /* the mode before the deadline (SDM) */
		timer_arm(c);
	} else if (m == TIMER_MODE_ONESHOT) {
		lapic_write(LAPIC_LVT_TIMER, TIMER_ONESHOT | VEC_TIMER);
		timer_arm(c);
	} else {
		lapic_write(LAPIC_LVT_TIMER, TIMER_PERIODIC | VEC_TIMER);
		lapic_write(LAPIC_TIMER_INIT, apic.timer_count); /* 0 (not calibrated): stays stopped */
	}
}

void arch_lapic_timer_start(void)
{
	timer_start_mode(apic.mode);
}

void arch_lapic_timer_rearm(void)
{
	struct cpu *c = this_cpu();

	c->timer_fired++;
	if (c->timer_mode != TIMER_MODE_PERIODIC)
		timer_arm(c);
}

/* Whether the timer's vector waits in this core's IRR (taken once
 * interrupts are on: not lost). */
static bool timer_pending(void)
{
	return lapic_read(LAPIC_IRR + 0x10 * (VEC_TIMER / 32)) >> (VEC_TIMER % 32) & 1;
}

/* A tick more than one period overdue, and not waiting in the IRR, was
 * lost (the erratum, or an arming dropped): arm it again. In one-shot mode
 * also only if the count has run out: it runs on the bus clock, measured
 * against the TSC only once, and re-arming a count still running would
 * restart it (a slow count re-armed for ever would never fire). */
void arch_lapic_timer_watchdog(void)
{
	struct cpu *c = this_cpu();
	int64_t late;

	if (c->timer_mode == TIMER_MODE_PERIODIC || !c->timer_due)
		return;
	late = (int64_t)(rdtsc_ordered() - c->timer_due);
	if (late < (int64_t)apic.tsc_period || timer_pending())
		return;
	if (c->timer_mode == TIMER_MODE_ONESHOT && lapic_read(LAPIC_TIMER_CUR) != 0)
		return;
	c->timer_rescued++;
	timer_arm(c);
}

bool arch_lapic_timer_deadline(void)
{
	return apic.mode == TIMER_MODE_DEADLINE;
}

enum timer_mode timer_mode_chosen(void)
{
	return apic.mode;
}

const char *timer_mode_reason(void)
{
	return apic.mode_why;
}

uint64_t timer_period_tsc(void)
{
	return apic.tsc_period;
}

void timer_start_in_mode(enum timer_mode m)
{
	timer_start_mode(m);
}

void timer_stop(void)
{
	struct cpu *c = this_cpu();

	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, 0);
	if (cpu_has_tsc_deadline())
		wrmsr(MSR_TSC_DEADLINE, 0);
	c->timer_due = 0;
	c->timer_mode = TIMER_MODE_PERIODIC;
	c->timer_drop = 0;
}

uint32_t arch_apic_timer_ticks_per_ms(void)
{
	return apic.ticks_per_ms;
}

void arch_lapic_lint_setup(const struct acpi_nmi *nmis, uint32_t count, bool have_uid, uint32_t uid)
{
	uint32_t lvt[2] = { LVT_MASKED, LVT_MASKED };

	for (uint32_t i = 0; i < count; i++) {
		const struct acpi_nmi *n = &nmis[i];
		if (n->lint > 1 || (n->uid != ACPI_NMI_ALL_CPUS && !(have_uid && n->uid == uid)))
			continue;
		lvt[n->lint] = LVT_NMI | (n->mode.active_low ? LVT_ACTIVE_LOW : 0);
	}
	lapic_write(LAPIC_LVT_LINT0, lvt[0]);
	lapic_write(LAPIC_LVT_LINT1, lvt[1]);
}

uint32_t arch_lapic_lvt_lint(uint32_t pin)
{
	return lapic_read(pin ? LAPIC_LVT_LINT1 : LAPIC_LVT_LINT0);
}

static void xapic_wait_idle(void)
{
	for (int spin = 0; spin < 100000 && (lapic_read(LAPIC_ICR_LO) & ICR_PENDING); spin++)
		cpu_pause();
}

void arch_lapic_ipi(uint32_t apic_id, uint32_t icr_lo)
{
	if (apic.x2apic) {
		x2apic_wrmsr_fence();
		wrmsr(X2APIC_MSR(LAPIC_ICR_LO), (uint64_t)apic_id << 32 | icr_lo);
		return;
	}
	xapic_wait_idle();
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, icr_lo);
	xapic_wait_idle();
}

/* Vectors 0-31 are exceptions, never requested: the IRR's first word is
 * not read. In x2APIC mode each word is one RDMSR, in xAPIC mode one MMIO
 * read. */
bool arch_irq_pending(void)
{
	for (uint32_t i = 1; i < 8; i++)
		if (lapic_read(LAPIC_IRR + 0x10 * i))
			return true;
	return false;
}

void arch_irq_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/* io: the I/O APIC's uncached device mapping (apic.ioapic_va). */
static uint32_t ioapic_read(uintptr_t io, uint32_t reg)
{
	*(volatile uint32_t *)io = reg;
	return *(volatile uint32_t *)(io + 0x10);
}

static void ioapic_write(uintptr_t io, uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)io = reg;
	*(volatile uint32_t *)(io + 0x10) = v;
}

/* The destination word first, so a line is never unmasked towards a stale
 * one. False if no I/O APIC serves the GSI. */
static bool gsi_set_entry(uint32_t gsi, uint32_t lo)
{
	uint32_t pin;
	int i = ioapic_for_gsi(apic.ioapic_range, apic.ioapic_count, gsi, &pin);

	if (i < 0)
		return false;
	ioapic_write(apic.ioapic_va[i], IOREDTBL(pin) + 1, apic.ioapic_dest << 24);
	ioapic_write(apic.ioapic_va[i], IOREDTBL(pin), lo);
	return true;
}

void arch_irq_set_overrides(const struct acpi_override *ov, uint32_t count)
{
	bool overridden[ISA_IRQS] = { false };

	for (uint32_t i = 0; i < ISA_IRQS; i++)
		apic.isa[i] = (struct irq_route)ISA_ROUTE(i);
	for (uint32_t i = 0; i < count; i++) {
		if (ov[i].bus != 0 || ov[i].irq >= ISA_IRQS)
			continue;
		apic.isa[ov[i].irq] = (struct irq_route){ ov[i].gsi, ov[i].mode.level, ov[i].mode.active_low };
		overridden[ov[i].irq] = true;
	}
	/* IRQ i without an override loses GSI i to an IRQ whose override takes it. */
	for (uint32_t i = 0; i < ISA_IRQS; i++)
		for (uint32_t j = 0; j < ISA_IRQS; j++)
			if (!overridden[i] && overridden[j] && j != i && apic.isa[j].gsi == i)
				apic.isa[i].gsi = NO_GSI;
}

/* Pins of the I/O APIC mapped at `io` (its maximum redirection entry + 1),
 * 0 if it could not be mapped or nothing sensible answers there (all ones:
 * no device). */
static uint32_t ioapic_pins(uintptr_t io)
{
	uint32_t ver;

	if (!io)
		return 0;
	ver = ioapic_read(io, 1);

	return ver == 0xFFFFFFFFu ? 0 : ((ver >> 16) & 0xFF) + 1;
}

void arch_ioapics_init(const struct acpi_ioapic *io, uint32_t count, uint32_t dest_apic_id)
{
	static const struct acpi_ioapic dflt = { 0, (uint32_t)IOAPIC_DEFAULT, 0 };

	if (count == 0) {
		io = &dflt;
		count = 1;
	}
	if (count > IOAPIC_MAX) {
		kprintf("warning: APIC: %u I/O APICs, using the first %u\n", count, IOAPIC_MAX);
		count = IOAPIC_MAX;
	}
	if (dest_apic_id > 0xFF)
		kprintf("APIC: the I/O APIC cannot reach APIC id %u; lines go to id %u\n", dest_apic_id,
			dest_apic_id & 0xFF);
	apic.ioapic_dest = dest_apic_id & 0xFF; /* physical destination: 8 bits */
	apic.ioapic_count = count;
	for (uint32_t i = 0; i < count; i++) {
		apic.ioapic[i] = io[i].addr;
		apic.ioapic_va[i] = (uintptr_t)arch_map_device(io[i].addr, PAGE_SIZE, MEM_UC);
		apic.ioapic_id[i] = io[i].id;
		apic.ioapic_range[i] = (struct ioapic_range){ io[i].gsi_base, ioapic_pins(apic.ioapic_va[i]) };
		if (!apic.ioapic_range[i].pins)
			kprintf("warning: APIC: no I/O APIC answers (or maps) at %#x: its GSIs are not used\n", io[i].addr);
	}
	apic.gsi_end = ioapic_gsi_end(apic.ioapic_range, count);
	for (uint32_t i = 0; i < count; i++)
		for (uint32_t pin = 0; pin < apic.ioapic_range[i].pins; pin++) {
			ioapic_write(apic.ioapic_va[i], IOREDTBL(pin) + 1, apic.ioapic_dest << 24);
			ioapic_write(apic.ioapic_va[i], IOREDTBL(pin), IOREDTBL_MASKED | VEC_SPURIOUS);
		}
}

void arch_ioapic_init(paddr_t ioapic, uint32_t dest_apic_id)
{
	struct acpi_ioapic one = { 0, (uint32_t)(ioapic ? ioapic : IOAPIC_DEFAULT), 0 };

	arch_ioapics_init(&one, 1, dest_apic_id);
}

void arch_ioapic_describe(void)
{
	for (uint32_t i = 0; i < apic.ioapic_count; i++)
		if (apic.ioapic_range[i].pins)
			kprintf("APIC: I/O APIC %u at %#llx: GSIs %u-%u\n", apic.ioapic_id[i], (unsigned long long)apic.ioapic[i],
				apic.ioapic_range[i].gsi_base,
				apic.ioapic_range[i].gsi_base + apic.ioapic_range[i].pins - 1);
}

void arch_apic_init(uint64_t tsc_hz, uint32_t period_ms, paddr_t ioapic)
{
	arch_apic_calibrate(tsc_hz, period_ms);
	arch_ioapic_init(ioapic, arch_lapic_id());
	arch_lapic_timer_start();
}

uint32_t arch_irq_count(void)
{
	return MIN(apic.gsi_end, (uint32_t)(VEC_PIC_BASE - VEC_IRQ_BASE));
}

/* See arch.h for the IRQ -> GSI rules; false where the IRQ has no line. */
static bool irq_route(uint32_t irq, struct irq_route *r)
{
	if (irq >= VEC_PIC_BASE - VEC_IRQ_BASE)
		return false;
	if (irq < ISA_IRQS) {
		*r = apic.isa[irq];
	} else {
		*r = (struct irq_route){ irq, true, true }; /* PCI: level, active low */
		for (uint32_t i = 0; i < ISA_IRQS; i++)
			if (apic.isa[i].gsi == irq)
				return false; /* an ISA IRQ's override owns this GSI */
	}
	return r->gsi < apic.gsi_end;
}

void arch_irq_mask(uint32_t irq, bool masked)
{
	struct irq_route r;

	if (!irq_route(irq, &r))
		return;
	gsi_set_entry(r.gsi, (VEC_IRQ_BASE + irq) | (r.level ? IOREDTBL_LEVEL : 0) |
					(r.active_low ? IOREDTBL_ACTIVE_LOW : 0) |
					(masked ? IOREDTBL_MASKED : 0));
}
