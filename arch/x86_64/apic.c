/*
 * The local APIC (xAPIC, memory-mapped through the direct map) and the I/O
 * APIC at its standard address: the periodic timer that drives timeslices,
 * end-of-interrupt, and routing of device interrupts (GSIs) to vectors.
 * x2APIC and the ACPI MADT come with the multicore work.
 */
#include "arch/arch.h"
#include "arch/x86.h"
#include "layout.h"

#define LAPIC_BASE 0xFEE00000ull
#define IOAPIC_DEFAULT 0xFEC00000ull
#define LAPIC_ID 0x20
#define LAPIC_EOI 0xB0
#define LAPIC_SVR 0xF0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3E0
#define TIMER_PERIODIC (1u << 17)
#define LVT_MASKED (1u << 16)
#define IOREDTBL(n) (0x10 + 2 * (n))

static struct {
	paddr_t ioapic;
	uint32_t ticks_per_ms, period_ms;
	uint32_t ioapic_pins;
	bool ready;
} apic;

static volatile uint32_t *lapic_reg(uint32_t off)
{
	return (volatile uint32_t *)phys_to_virt(LAPIC_BASE + off);
}

static uint32_t ioapic_read(uint32_t reg)
{
	*(volatile uint32_t *)phys_to_virt(apic.ioapic) = reg;
	return *(volatile uint32_t *)phys_to_virt(apic.ioapic + 0x10);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)phys_to_virt(apic.ioapic) = reg;
	*(volatile uint32_t *)phys_to_virt(apic.ioapic + 0x10) = v;
}

/* Count APIC timer ticks over 1 ms of TSC time. */
static uint32_t calibrate(uint64_t tsc_hz)
{
	uint64_t start, wait = tsc_hz / 1000;

	*lapic_reg(LAPIC_TIMER_DIV) = 0x3; /* divide by 16 */
	*lapic_reg(LAPIC_LVT_TIMER) = LVT_MASKED | VEC_TIMER;
	*lapic_reg(LAPIC_TIMER_INIT) = 0xFFFFFFFFu;
	start = rdtsc_ordered();
	while (rdtsc_ordered() - start < wait)
		cpu_pause();
	return 0xFFFFFFFFu - *lapic_reg(LAPIC_TIMER_CUR);
}

/* Boot core, before other cores start: the timer's ticks per ms. */
void arch_apic_calibrate(uint64_t tsc_hz, uint32_t period_ms)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11)); /* global enable */
	*lapic_reg(LAPIC_SVR) = 0x100 | VEC_SPURIOUS;
	apic.ticks_per_ms = calibrate(tsc_hz ? tsc_hz : 1000000000ull);
	if (!apic.ticks_per_ms)
		apic.ticks_per_ms = 1;
	apic.period_ms = period_ms;
	*lapic_reg(LAPIC_TIMER_INIT) = 0;
}

/* This core's periodic timer, with the boot core's calibration. */
void arch_lapic_timer_start(void)
{
	*lapic_reg(LAPIC_TIMER_DIV) = 0x3; /* divide by 16, as calibrated */
	*lapic_reg(LAPIC_TIMER_INIT) = 0;
	*lapic_reg(LAPIC_LVT_TIMER) = TIMER_PERIODIC | VEC_TIMER;
	*lapic_reg(LAPIC_TIMER_INIT) = apic.ticks_per_ms * apic.period_ms;
}

/* The I/O APIC: every line masked, routed to this core when unmasked. Only
 * the cluster that owns device interrupts calls this. */
void arch_ioapic_init(paddr_t ioapic)
{
	apic.ioapic = ioapic ? ioapic : IOAPIC_DEFAULT;
	apic.ioapic_pins = ((ioapic_read(1) >> 16) & 0xFF) + 1;
	for (uint32_t i = 0; i < apic.ioapic_pins; i++)
		arch_irq_mask(i, true);
	apic.ready = true;
}

void arch_apic_init(uint64_t tsc_hz, uint32_t period_ms, paddr_t ioapic)
{
	arch_apic_calibrate(tsc_hz, period_ms);
	arch_lapic_timer_start();
	arch_ioapic_init(ioapic);
}

#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define ICR_PENDING (1u << 12)

uint32_t arch_lapic_id(void)
{
	return *lapic_reg(LAPIC_ID) >> 24;
}

/* Send an inter-processor interrupt (xAPIC ICR), waiting for delivery. */
void arch_lapic_ipi(uint32_t apic_id, uint32_t icr_lo)
{
	for (int spin = 0; spin < 100000 && (*lapic_reg(LAPIC_ICR_LO) & ICR_PENDING); spin++)
		cpu_pause();
	*lapic_reg(LAPIC_ICR_HI) = apic_id << 24;
	*lapic_reg(LAPIC_ICR_LO) = icr_lo;
	for (int spin = 0; spin < 100000 && (*lapic_reg(LAPIC_ICR_LO) & ICR_PENDING); spin++)
		cpu_pause();
}

/* Software-enable this core's local APIC (APs at start-up). */
void arch_lapic_enable(void)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));
	*lapic_reg(LAPIC_SVR) = 0x100 | VEC_SPURIOUS;
}

uint32_t arch_apic_timer_ticks_per_ms(void)
{
	return apic.ticks_per_ms;
}

uint32_t arch_irq_count(void)
{
	return apic.ready ? apic.ioapic_pins : 0;
}

void arch_irq_eoi(void)
{
	*lapic_reg(LAPIC_EOI) = 0;
}

/* Route GSI `irq` to vector VEC_IRQ_BASE + irq on this core, edge-triggered
 * for ISA lines (0-15), level/active-low for PCI lines; masked or not. */
void arch_irq_mask(uint32_t irq, bool masked)
{
	uint32_t lo = (VEC_IRQ_BASE + irq) | (masked ? LVT_MASKED : 0);

	if (!apic.ioapic || irq >= apic.ioapic_pins) /* no I/O APIC in this cluster */
		return;
	if (irq >= 16)
		lo |= (1u << 15) | (1u << 13); /* level, active low */
	ioapic_write(IOREDTBL(irq) + 1, (*lapic_reg(LAPIC_ID) >> 24) << 24);
	ioapic_write(IOREDTBL(irq), lo);
}
