/* User-mode 16550 UART driver (see atoll/serial.h). */
#include "atoll/serial.h"

#define UART_THR 0
#define UART_IER 1
#define UART_IIR 2
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define MCR_DTR_RTS_OUT2 0x0B /* OUT2 gates the UART's interrupt line on a PC */
#define IER_THRE 0x02
#define LSR_THRE 0x20

/* One byte written to the scratch register and read back. */
static bool scratch_keeps(cptr_t io, uint16_t base, uint8_t v, uint64_t *e)
{
	struct ipc_result r;

	if ((*e = atoll_ioport_out8(io, base + UART_SCR, v)))
		return false;
	r = atoll_ioport_in8(io, base + UART_SCR);
	*e = r.err;
	return !r.err && (uint8_t)r.mr[0] == v;
}

uint64_t serial_probe(uint16_t base, cptr_t io_slot, bool *present)
{
	uint64_t e, e2;
	struct ipc_result lsr;

	*present = false;
	if ((e = atoll_ioport_issue(ROOT_IOPORT_CONTROL, base, base + 7, ROOT_CNODE, io_slot)))
		return e;
	lsr = atoll_ioport_in8(io_slot, base + UART_LSR);
	e = lsr.err;
	if (!e && (uint8_t)lsr.mr[0] != 0xFF)
		*present = scratch_keeps(io_slot, base, 0x5A, &e) && scratch_keeps(io_slot, base, 0xA5, &e);
	if (!e)
		(void)atoll_ioport_out8(io_slot, base + UART_SCR, 0);
	e2 = atoll_cnode_delete(ROOT_CNODE, io_slot);
	return e ? e : e2;
}

uint64_t serial_open(struct serial_dev *d, uint16_t base, uint32_t irq, cptr_t ntfn, cptr_t io_slot,
		     cptr_t irq_slot)
{
	uint64_t e;

	d->base = base;
	d->io = io_slot;
	d->irq = irq_slot;
	d->ntfn = ntfn;
	d->irqs = 0;
	if ((e = atoll_ioport_issue(ROOT_IOPORT_CONTROL, base, base + 7, ROOT_CNODE, io_slot)))
		return e;
	if ((e = atoll_irq_control_get(ROOT_IRQ_CONTROL, irq, ROOT_CNODE, irq_slot)))
		return e;
	if ((e = atoll_ioport_out8(io_slot, base + UART_MCR, MCR_DTR_RTS_OUT2)))
		return e;
	return atoll_irq_set_notification(irq_slot, ntfn);
}

#define WAIT_POLLS 200000

/* Wait for the transmitter-empty interrupt (polling the notification, so a
 * line that never fires is an error, not a hang), then acknowledge it. */
static uint64_t wait_thre(struct serial_dev *d)
{
	struct ipc_result r = { .err = E_OK, .badge = 0 };
	uint32_t polls = 0;

	while (!r.err && !r.badge && polls++ < WAIT_POLLS)
		r = atoll_ntfn_poll(d->ntfn);
	if (r.err)
		return r.err;
	if (!r.badge)
		return E_FAILED_LOOKUP; /* no interrupt arrived */
	d->irqs++;
	(void)atoll_ioport_in8(d->io, d->base + UART_IIR); /* reading IIR clears the THRE source */
	return atoll_irq_ack(d->irq);
}

uint64_t serial_write(struct serial_dev *d, const char *s, size_t n)
{
	uint64_t e;

	for (size_t i = 0; i < n; i++) {
		if ((e = atoll_ioport_out8(d->io, d->base + UART_IER, IER_THRE)))
			return e;
		if ((e = wait_thre(d)))
			return e;
		if ((e = atoll_ioport_out8(d->io, d->base + UART_THR, (uint8_t)s[i])))
			return e;
	}
	return atoll_ioport_out8(d->io, d->base + UART_IER, 0);
}

void serial_close(struct serial_dev *d)
{
	atoll_ioport_out8(d->io, d->base + UART_IER, 0);
	atoll_irq_clear(d->irq);
	atoll_cnode_delete(ROOT_CNODE, d->irq);
	atoll_cnode_delete(ROOT_CNODE, d->io);
}
