/*
 * Faults of user threads become a message to the thread's fault endpoint,
 * sent as a Call: the handler's reply resumes the thread (which re-executes
 * the faulting instruction unless the handler changed its registers). With
 * no usable fault endpoint the thread is suspended and the console says why.
 */
#include "console.h"
#include "fault.h"
#include "ipc.h"
#include "sched.h"

static const char *fault_name(uint64_t label)
{
	return label == FAULT_VM ? "page fault" : "exception";
}

void fault_raise(struct tcb *t, uint64_t label, const uint64_t info[4])
{
	struct cte *s;

	for (unsigned i = 0; i < 4; i++)
		t->fault_info[i] = info[i];
	if (t->fault_ep && !cspace_lookup_cap(t, t->fault_ep, OBJ_ENDPOINT, &s).err &&
	    (cap_rights(s->cap) & RIGHT_WRITE)) {
		t->ipc_is_fault = true;
		t->ipc_info = msginfo(label, 0, 0, 4);
		ep_send(t, s, true, true);
		if (t->state == TS_RUNNABLE) /* delivered to a receiver without a reply object */
			t->ipc_is_fault = false;
		return;
	}
	kprintf("fault: thread '%s' took a %s (vector %llu) at rip %#llx, address %#llx; "
		"no fault handler: suspended\n",
		t->name[0] ? t->name : "?", fault_name(label), (unsigned long long)info[2],
		(unsigned long long)info[0], (unsigned long long)info[1]);
	tcb_suspend(t);
}
