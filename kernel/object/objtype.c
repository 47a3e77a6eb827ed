/* The one place that dispatches on object type: invocation and
 * finalisation when the last capability to an object goes. (Other files
 * look at types for their own rules only: parenthood in cap/cdt.c, object
 * sizes in untyped.c, the notification kinds in syscall.c, the checker.) */
#include "arch/arch.h"
#include "entrystats.h"
#include "smp.h"
#include "xnotif.h"
#include "ipc.h"
#include "irq.h"
#include "kcheck.h"


struct kerr obj_invoke(struct inv *iv)
{
	entry_stats_invocation(cap_type(iv->cap)); /* what a long entry was */
	switch (cap_type(iv->cap)) {
	case OBJ_UNTYPED: return untyped_invoke(iv);
	case OBJ_CNODE: return cnode_invoke(iv);
	case OBJ_TCB: return tcb_invoke(iv);
	case OBJ_FRAME_4K:
	case OBJ_FRAME_2M: return frame_invoke(iv);
	case OBJ_PAGE_TABLE:
	case OBJ_PAGE_DIRECTORY:
	case OBJ_PDPT: return pagetable_invoke(iv);
	case OBJ_IOPORT_CONTROL:
	case OBJ_IOPORT: return ioport_invoke(iv);
	case OBJ_IRQ_CONTROL:
	case OBJ_IRQ_HANDLER: return irq_invoke(iv);
	default: return kerr(E_ILLEGAL_OPERATION, 0);
	}
}

bool obj_cancel_one(struct cap c)
{
	switch (cap_type(c)) {
	case OBJ_ENDPOINT: return ep_cancel_one(cap_obj(c));
	case OBJ_NOTIFICATION: return ntfn_cancel_one(cap_obj(c));
	case OBJ_XNOTIF: return cap_paddr(c) == cluster.id && xnotif_cancel_one();
	default: return false;
	}
}

void obj_finalise(struct cap c)
{
	switch (cap_type(c)) {
	case OBJ_ENDPOINT: ep_cancel_all(cap_obj(c)); break;
	case OBJ_NOTIFICATION:
		irq_forget_notification(cap_obj(c));
		ntfn_cancel_all(cap_obj(c));
		break;
	case OBJ_IRQ_HANDLER: irq_handler_finalise(c.w1); break;
	case OBJ_XNOTIF:
		if (cap_paddr(c) == cluster.id) /* the owner's last: its waiters get an error */
			xnotif_cancel_all();
		break;
	case OBJ_REPLY: reply_finalise(cap_obj(c)); break;
	case OBJ_TCB: {
		struct tcb *t = cap_obj(c);
		tcb_suspend(t); /* stopped on every core: its FPU state is in the TCB or here */
		arch_fpu_forget(t);
		kcheck_forget_tcb(t);
		if (t->bound_ntfn)
			t->bound_ntfn->bound = NULL;
		t->bound_ntfn = NULL;
		break;
	}
	case OBJ_FRAME_4K:
	case OBJ_FRAME_2M:
		if (cap_map_asid(c))
			frame_unmap(&c);
		break;
	case OBJ_PAGE_TABLE:
	case OBJ_PAGE_DIRECTORY:
	case OBJ_PDPT:
		if (cap_map_asid(c))
			pagetable_unmap(&c);
		break;
	case OBJ_PML4:
		smp_forget_root(cap_paddr(c)); /* no core keeps it in CR3 */
		asid_free(cap_map_asid(c));
		break;
	default:
		break;
	}
}
