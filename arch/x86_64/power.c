/* Halting and leaving the machine. */
#include "arch/arch.h"
#include "arch/x86.h"
#include "coverage.h"

NORETURN void arch_halt(void)
{
	for (;;) {
		irq_disable();
		cpu_hlt();
	}
}

static void bochs_shutdown(void)
{
	static const char cmd[] = "Shutdown";
	for (const char *p = cmd; *p; p++)
		outb(0x8900, (uint8_t)*p);
}

/*
 * Test verdicts go to QEMU's isa-debug-exit (exit status 33 = pass, 35 =
 * fail) and then to Bochs' shutdown port. A plain poweroff tries the PM1a
 * control ports firmware commonly programs (QEMU q35/PIIX, Bochs) with
 * SLP_TYP=5|SLP_EN; on a real PC without those it halts.
 */
/* Let COM1 finish sending (transmitter empty), so an emulator that stops
 * at once (Bochs) keeps the last bytes; bounded for a missing UART. */
static void serial_drain(void)
{
	for (int spin = 0; spin < 1000000 && !(inb(0x3F8 + 5) & 0x40); spin++)
		cpu_pause();
}

NORETURN void arch_exit(bool pass, bool poweroff)
{
	if (coverage_dump) /* coverage builds only: the counters, on COM1 */
		coverage_dump();
	serial_drain();
	outl(0xF4, pass ? 0x10 : 0x11);
	if (poweroff) {
		outw(0x604, 0x2000);
		outw(0xB004, 0x2000);
		outw(0x4004, 0x3400);
	}
	bochs_shutdown();
	arch_halt();
}
