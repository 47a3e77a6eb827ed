/* A user-mode driver for a 16550 UART, through an IOPort capability for its
 * eight registers and an IRQHandler capability bound to a notification. */
#pragma once
#include "atoll/atoll.h"

struct serial_dev {
	cptr_t io;      /* IOPort for base..base+7 */
	cptr_t irq;     /* IRQHandler for its line */
	cptr_t ntfn;    /* notification the line signals */
	uint16_t base;
	uint64_t irqs;  /* interrupts taken */
};

/* Whether a 16550 answers at base (a PC without a serial port has none):
 * its line status register does not read 0xFF (what an empty ISA bus
 * returns) and its scratch register keeps two values written to it. Takes
 * the port range into io_slot for the probe and deletes it again. Returns
 * the ABI error of the capability calls; the answer in *present. */
uint64_t serial_probe(uint16_t base, cptr_t io_slot, bool *present);
/* Take the port range and line from the control capabilities into the
 * given free slots, and bind the line to ntfn. Returns the ABI error. */
uint64_t serial_open(struct serial_dev *d, uint16_t base, uint32_t irq, cptr_t ntfn, cptr_t io_slot,
		     cptr_t irq_slot);
/* Write a string, interrupt-driven: wait for "transmitter empty" before
 * each byte. */
uint64_t serial_write(struct serial_dev *d, const char *s, size_t n);
/* Stop interrupts and give the line back. */
void serial_close(struct serial_dev *d);
