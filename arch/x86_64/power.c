/*
 * Halting and leaving the machine (docs/boot.md, "Ending a run").
 * The emulators' exit ports (QEMU isa-debug-exit 0xF4, the PM1a ports of
 * QEMU/Bochs/VirtualBox, Bochs' 0x8900) are written only under a hypervisor
 * (CPUID.1:ECX bit 31) or with exit=qemu: on a PC those fixed ports may
 * belong to a NIC or a GPU. A PC is powered off through ACPI S5 (the
 * DSDT's \_S5 into PM1a_CNT/PM1b_CNT) or reset through the FADT reset
 * register; when neither is there, or they do not act, the screen says so
 * and the core halts. exit=halt writes no port anywhere.
 */
#include "acpi.h"
#include "arch/arch.h"
#include "arch/x86.h"
#include "cmdline.h"
#include "console.h"
#include "coverage.h"
#include "layout.h"

#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define SETTLE_SPINS 20000000 /* pause loops for a power-off or reset to act */

/* Written once by the boot core before the other cores start (arch_exit_init),
 * read-only afterwards: one copy for every cluster. */
static struct {
	bool ready;         /* arch_exit_init ran */
	uint8_t mode;       /* KEXIT_* */
	bool hypervisor;    /* CPUID.1:ECX[31] */
	bool s5;            /* \_S5 known and PM1a_CNT or (hardware-reduced) the
	                       Sleep Control Register */
	uint16_t pm1a, pm1b; /* 0 on a hardware-reduced platform */
	uint16_t sleep_ctl;  /* hardware-reduced: the Sleep Control Register's port */
	uint8_t typa, typb;
	uint16_t reset_port; /* 0: no usable FADT reset register */
	uint8_t reset_value;
} ex KSHARED;

NORETURN void arch_halt(void)
{
	for (;;) {
		irq_disable();
		cpu_hlt();
	}
}

static bool hypervisor_present(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	return r[2] & CPUID1_ECX_HYPERVISOR;
}

static const char *const mode_names[] = { [KEXIT_POWEROFF] = "poweroff", [KEXIT_HALT] = "halt",
					  [KEXIT_REBOOT] = "reboot", [KEXIT_QEMU] = "qemu",
					  [KEXIT_ACPI] = "acpi" };

void arch_exit_init(const struct acpi_info *acpi, uint8_t mode)
{
	ex.mode = mode < sizeof(mode_names) / sizeof(mode_names[0]) ? mode : KEXIT_POWEROFF;
	ex.hypervisor = hypervisor_present();
	ex.sleep_ctl = acpi_sleep_control_port(acpi);
	ex.pm1a = acpi->hw_reduced ? 0 : (uint16_t)acpi->pm1a_cnt_port;
	ex.pm1b = acpi->hw_reduced ? 0 : (uint16_t)acpi->pm1b_cnt_port;
	ex.s5 = acpi->has_fadt && acpi->has_s5 && (ex.pm1a || ex.sleep_ctl);
	ex.typa = acpi->s5_typa;
	ex.typb = acpi->s5_typb;
	ex.reset_port = acpi_reset_port(acpi);
	ex.reset_value = acpi->reset_value;
	ex.ready = true;
	kprintf("Exit: exit=%s; hypervisor bit %s; ACPI S5 %s; FADT reset %s\n",
		mode_names[ex.mode], ex.hypervisor ? "set (emulator exit ports)" : "clear (a PC)",
		ex.s5 ? "available" : "unavailable", ex.reset_port ? "available" : "unavailable");
}

/* Let COM1 finish sending (transmitter empty), so an emulator that stops
 * at once (Bochs, QEMU on S5) keeps the last bytes; bounded for a missing
 * UART. */
static void serial_drain(void)
{
	for (int spin = 0; spin < 1000000 && !(inb(0x3F8 + 5) & 0x40); spin++)
		cpu_pause();
}

/* Give a power-off or reset request time to take effect. */
static void settle(void)
{
	for (int spin = 0; spin < SETTLE_SPINS; spin++)
		cpu_pause();
}

/*
 * Test verdicts go to QEMU's isa-debug-exit (exit status 33 = pass, 35 =
 * fail) and then to Bochs' shutdown port; a poweroff first tries the PM1a
 * control ports emulators use (QEMU q35/PIIX, VirtualBox) with
 * SLP_TYP|SLP_EN. Only ever under a hypervisor or with exit=qemu.
 */
static void emulator_exit(bool pass, bool poweroff)
{
	static const char cmd[] = "Shutdown";

	outl(0xF4, pass ? 0x10 : 0x11);
	if (poweroff) {
		outw(0x604, 0x2000);
		outw(0xB004, 0x2000);
		outw(0x4004, 0x3400);
	}
	for (const char *p = cmd; *p; p++)
		outb(0x8900, (uint8_t)*p);
}

/* Hardware-reduced ACPI (4.8.3.7): SLP_TYPa and SLP_EN in one byte. */
static void sleep_control_poweroff(void)
{
	kprintf("Atoll: ACPI S5 power-off (Sleep Control Register %#x, SLP_TYP %u).\n",
		ex.sleep_ctl, ex.typa);
	serial_drain();
	outb(ex.sleep_ctl, acpi_sleep_control_value(ex.typa));
	settle();
	kprintf("Atoll: the ACPI power-off did not take effect.\n");
}

/* ACPI S5 (ACPI 7.4.2, 16.1.7): SLP_TYPx from \_S5 into PM1a_CNT (and
 * PM1b_CNT), the other bits kept; SLP_TYP first, then with SLP_EN. */
static void acpi_poweroff(void)
{
	uint16_t a, b = 0;

	if (!ex.s5)
		return;
	if (!ex.pm1a) {
		sleep_control_poweroff();
		return;
	}
	kprintf("Atoll: ACPI S5 power-off (PM1a_CNT %#x, PM1b_CNT %#x, SLP_TYP %u/%u).\n",
		ex.pm1a, ex.pm1b, ex.typa, ex.typb);
	serial_drain();
	a = acpi_pm1_sleep_value(inw(ex.pm1a), ex.typa);
	if (ex.pm1b)
		b = acpi_pm1_sleep_value(inw(ex.pm1b), ex.typb);
	outw(ex.pm1a, a & (uint16_t)~ACPI_PM1_SLP_EN);
	if (ex.pm1b)
		outw(ex.pm1b, b & (uint16_t)~ACPI_PM1_SLP_EN);
	outw(ex.pm1a, a);
	if (ex.pm1b)
		outw(ex.pm1b, b);
	settle();
	kprintf("Atoll: the ACPI power-off did not take effect.\n");
}

/* The FADT reset register (ACPI 4.8.3.6): RESET_VALUE to an I/O port. */
static void acpi_reset(void)
{
	if (!ex.reset_port)
		return;
	kprintf("Atoll: reset through the FADT reset register (I/O %#x = %#x).\n", ex.reset_port,
		ex.reset_value);
	serial_drain();
	outb(ex.reset_port, ex.reset_value);
	settle();
	kprintf("Atoll: the reset register did not reset the machine.\n");
}

static NORETURN void stopped(void)
{
	kprintf("Atoll has stopped; you may now switch off.\n");
	serial_drain();
	arch_halt();
}

/* Emulator ports under a hypervisor (or exit=qemu); ACPI S5 on a PC when a
 * poweroff is wanted. Never returns. */
NORETURN void arch_exit(bool pass, bool poweroff)
{
	if (coverage_dump) /* coverage builds only: the counters, on COM1 */
		coverage_dump();
	serial_drain();
	if (!ex.ready) /* stopped before the command line was read */
		ex.hypervisor = hypervisor_present();
	switch (ex.mode) {
	case KEXIT_HALT:
		break;
	case KEXIT_REBOOT:
		acpi_reset();
		break;
	case KEXIT_ACPI:
		acpi_poweroff();
		break;
	default: /* KEXIT_POWEROFF, KEXIT_QEMU */
		if (ex.hypervisor || ex.mode == KEXIT_QEMU)
			emulator_exit(pass, poweroff);
		if (poweroff)
			acpi_poweroff();
		break;
	}
	stopped();
}
