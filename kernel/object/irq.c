/*
 * IRQControl and IRQHandler: a device line is handed out once as an
 * IRQHandler capability; when it fires the kernel masks it and signals the
 * bound notification; the driver's Ack unmasks it.
 */
#include "arch/arch.h"
#include "ipc.h"
#include "irq.h"
#include "sched.h"
#include "smp.h"
#include "xnotif.h"

/* Per cluster (copied .bss), under the kernel lock. Only cluster 0 has
 * IRQ capabilities, so only its copy of the lines' state is ever set. */
static struct {
	bool issued[IRQ_MAX];
	struct notification *ntfn[IRQ_MAX];
	uint64_t badge[IRQ_MAX];
	uint64_t ticks;
} irqs;

uint64_t irq_timer_ticks(void)
{
	return irqs.ticks;
}

/* An idle core (no thread, no lock): the timer and in-cluster requests
 * need nothing of the kernel's objects, so no lock either. */
bool irq_handle_idle(uint64_t vector)
{
	if (arch_vector_spurious(vector))
		return true; /* no EOI: nothing is in service */
	if (vector != VEC_TIMER && vector != VEC_KICK)
		return false;
	arch_irq_eoi();
	if (vector == VEC_TIMER) {
		arch_lapic_timer_rearm();
		this_core()->ticks++;
	} else {
		this_core()->ls.ipis_received++;
	}
	return true;
}

void irq_handle(uint64_t vector)
{
	uint64_t irq = vector - VEC_IRQ_BASE;

	if (arch_vector_spurious(vector))
		return; /* no EOI: nothing is in service */
	if (vector >= VEC_IRQ_BASE && irq < IRQ_MAX) {
		/* A device line: mask it until the driver acknowledges, then
		 * EOI. In this order a level-triggered line that is still
		 * asserted is not delivered a second time when the EOI reaches
		 * the I/O APIC (that would signal the driver twice). */
		arch_irq_mask((uint32_t)irq, true);
		arch_irq_eoi();
		if (irqs.ntfn[irq])
			ntfn_signal(irqs.ntfn[irq], irqs.badge[irq]);
		return;
	}
	arch_irq_eoi();
	if (vector == VEC_TIMER) {
		arch_lapic_timer_rearm();
		irqs.ticks++;
		sched_tick();
		return;
	}
	if (vector == VEC_KICK) { /* the requests were run on the way in */
		this_core()->ls.ipis_received++;
		return;
	}
	if (vector == VEC_XNOTIF) {
		this_core()->ls.ipis_received++;
		xnotif_ipi();
		return;
	}
}

static struct kerr control_get(struct inv *iv)
{
	uint64_t irq = iv->arg[0];
	struct cte *dst;
	struct kerr e;

	if (iv->len < 3)
		return kerr(E_TRUNCATED_MESSAGE, 0);
	if (irq >= IRQ_MAX || irq >= arch_irq_count())
		return kerr(E_RANGE_ERROR, 0);
	if ((e = cspace_empty_slot(iv->caller, iv->arg[1], iv->arg[2], &dst)).err)
		return e;
	if (irqs.issued[irq])
		return kerr(E_REVOKE_FIRST, 0); /* a handler for this line exists */
	irqs.issued[irq] = true;
	cdt_insert(dst, cap_make(OBJ_IRQ_HANDLER, RIGHTS_ALL, 0, false, 0, irq), iv->slot, MDB_REVOCABLE);
	return KOK;
}

static struct kerr set_notification(struct inv *iv, uint64_t irq)
{
	struct cte *s;
	struct kerr e;

	if (iv->len < 1)
		return kerr(E_TRUNCATED_MESSAGE, 0);
	if ((e = cspace_lookup_cap(iv->caller, iv->arg[0], OBJ_NOTIFICATION, &s)).err)
		return e;
	if (!(cap_rights(s->cap) & RIGHT_WRITE))
		return kerr(E_INVALID_CAPABILITY, 0);
	irqs.ntfn[irq] = cap_obj(s->cap);
	irqs.badge[irq] = cap_badge(s->cap);
	arch_irq_mask((uint32_t)irq, false);
	return KOK;
}

/* For the invariant checker (kernel/check/): the notification line irq
 * signals (NULL: none); its self-tests write it. */
struct notification **irq_notification_ref(uint64_t irq);
struct notification **irq_notification_ref(uint64_t irq)
{
	return &irqs.ntfn[irq];
}

void irq_handler_finalise(uint64_t irq)
{
	if (irq >= IRQ_MAX)
		return;
	arch_irq_mask((uint32_t)irq, true);
	irqs.ntfn[irq] = NULL;
	irqs.issued[irq] = false;
}

/* A notification goes away: lines that signal it stop doing so. */
void irq_forget_notification(struct notification *n)
{
	for (uint64_t i = 0; i < IRQ_MAX; i++)
		if (irqs.ntfn[i] == n) {
			arch_irq_mask((uint32_t)i, true);
			irqs.ntfn[i] = NULL;
		}
}

struct kerr irq_invoke(struct inv *iv)
{
	uint64_t irq = iv->cap.w1;

	if (cap_type(iv->cap) == OBJ_IRQ_CONTROL)
		return iv->label == INV_IRQ_CONTROL_GET ? control_get(iv) : kerr(E_ILLEGAL_OPERATION, 0);
	switch (iv->label) {
	case INV_IRQ_HANDLER_SET_NOTIFICATION:
		return set_notification(iv, irq);
	case INV_IRQ_HANDLER_ACK:
		if (!irqs.ntfn[irq])
			return kerr(E_ILLEGAL_OPERATION, 0);
		arch_irq_mask((uint32_t)irq, false);
		return KOK;
	case INV_IRQ_HANDLER_CLEAR:
		arch_irq_mask((uint32_t)irq, true);
		irqs.ntfn[irq] = NULL;
		return KOK;
	default:
		return kerr(E_ILLEGAL_OPERATION, 0);
	}
}
