/* Interrupts as the kernel sees them: the timer tick, and device lines
 * delivered to user-mode drivers as notification signals. */
#pragma once
#include "kobj.h"

#define IRQ_MAX 64

/* Handle interrupt `vector` (any mode); may make threads runnable. */
void irq_handle(uint64_t vector);
/* The same on an idle core without the kernel lock: true if handled (the
 * timer, in-cluster requests), false if it needs irq_handle under the lock. */
bool irq_handle_idle(uint64_t vector);
/* An IRQHandler capability's last copy is gone: unbind and mask the line. */
void irq_handler_finalise(uint64_t irq);
uint64_t irq_timer_ticks(void);
struct notification;
void irq_forget_notification(struct notification *n);
