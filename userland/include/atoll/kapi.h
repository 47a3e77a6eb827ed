/*
 * Typed wrappers for system calls and object invocations (docs/abi.md).
 * Long messages use the calling thread's IPC buffer: the lowest page of the
 * 64 KiB-aligned area that holds its stack (abi/bootinfo.h).
 */
#pragma once
#include "abi/bootinfo.h"
#include "abi/ipcbuf.h"
#include "atoll/syscall.h"

static inline struct ipc_buffer *atoll_ipcbuf_get(void)
{
	uint64_t sp;

	__asm__("mov %%rsp, %0" : "=r"(sp));
	return (struct ipc_buffer *)(uintptr_t)(sp & ~(ABI_THREAD_AREA - 1));
}
#define atoll_ipcbuf (atoll_ipcbuf_get())

static inline struct ipc_result atoll_invoke(cptr_t cap, uint64_t label, unsigned len, uint64_t a0,
					     uint64_t a1, uint64_t a2, uint64_t a3)
{
	return atoll_call6(SYS_CALL, cap, msginfo(label, 0, 0, len), 0, a0, a1, a2, a3);
}

/* Objects and capabilities. Each returns the ABI error. */
static inline uint64_t atoll_untyped_retype(cptr_t ut, uint64_t type, uint64_t size_bits, cptr_t cnode,
				      uint64_t index, uint64_t count)
{
	atoll_ipcbuf->mr[4] = count;
	return atoll_invoke(ut, INV_UNTYPED_RETYPE, 5, type, size_bits, cnode, index).err;
}
static inline uint64_t atoll_cnode_copy(cptr_t cnode, uint64_t dest, cptr_t src, uint64_t rights)
{
	return atoll_invoke(cnode, INV_CNODE_COPY, 3, dest, src, rights, 0).err;
}
static inline uint64_t atoll_cnode_mint(cptr_t cnode, uint64_t dest, cptr_t src, uint64_t rights, uint64_t badge)
{
	return atoll_invoke(cnode, INV_CNODE_MINT, 4, dest, src, rights, badge).err;
}
static inline uint64_t atoll_cnode_move(cptr_t cnode, uint64_t dest, cptr_t src)
{
	return atoll_invoke(cnode, INV_CNODE_MOVE, 2, dest, src, 0, 0).err;
}
static inline uint64_t atoll_cnode_mutate(cptr_t cnode, uint64_t dest, cptr_t src, uint64_t badge)
{
	return atoll_invoke(cnode, INV_CNODE_MUTATE, 3, dest, src, badge, 0).err;
}
static inline uint64_t atoll_cnode_delete(cptr_t cnode, uint64_t index)
{
	return atoll_invoke(cnode, INV_CNODE_DELETE, 1, index, 0, 0, 0).err;
}
static inline uint64_t atoll_cnode_revoke(cptr_t cnode, uint64_t index)
{
	return atoll_invoke(cnode, INV_CNODE_REVOKE, 1, index, 0, 0, 0).err;
}
static inline uint64_t atoll_tcb_configure(cptr_t tcb, cptr_t fault_ep, cptr_t cspace, cptr_t vspace,
				     uint64_t ipcbuf_vaddr, cptr_t ipcbuf_frame)
{
	atoll_ipcbuf->mr[4] = ipcbuf_frame;
	return atoll_invoke(tcb, INV_TCB_CONFIGURE, 5, fault_ep, cspace, vspace, ipcbuf_vaddr).err;
}
static inline uint64_t atoll_tcb_set_priority(cptr_t tcb, uint64_t prio)
{
	return atoll_invoke(tcb, INV_TCB_SET_PRIORITY, 1, prio, 0, 0, 0).err;
}
static inline uint64_t atoll_tcb_set_mcp(cptr_t tcb, uint64_t mcp)
{
	return atoll_invoke(tcb, INV_TCB_SET_MCP, 1, mcp, 0, 0, 0).err;
}
static inline uint64_t atoll_tcb_set_affinity(cptr_t tcb, uint64_t core)
{
	return atoll_invoke(tcb, INV_TCB_SET_AFFINITY, 1, core, 0, 0, 0).err;
}
static inline uint64_t atoll_tcb_resume(cptr_t tcb) { return atoll_invoke(tcb, INV_TCB_RESUME, 0, 0, 0, 0, 0).err; }
static inline uint64_t atoll_tcb_suspend(cptr_t tcb) { return atoll_invoke(tcb, INV_TCB_SUSPEND, 0, 0, 0, 0, 0).err; }
static inline uint64_t atoll_tcb_bind_notification(cptr_t tcb, cptr_t ntfn)
{
	return atoll_invoke(tcb, INV_TCB_BIND_NOTIFICATION, 1, ntfn, 0, 0, 0).err;
}
static inline uint64_t atoll_tcb_unbind_notification(cptr_t tcb)
{
	return atoll_invoke(tcb, INV_TCB_UNBIND_NOTIFICATION, 0, 0, 0, 0, 0).err;
}

/* Register order of READ/WRITE_REGISTERS. */
enum { REG_RIP, REG_RSP, REG_RFLAGS, REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI,
       REG_RBP, REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_COUNT };

/* Write the first n registers (in the order above) and maybe resume. */
static inline uint64_t atoll_tcb_write_registers(cptr_t tcb, bool resume, unsigned n, const uint64_t *regs)
{
	for (unsigned i = 0; i < n; i++)
		atoll_ipcbuf->mr[2 + i] = regs[i];
	return atoll_invoke(tcb, INV_TCB_WRITE_REGISTERS, 2 + n, resume, n, 0, 0).err;
}
static inline uint64_t atoll_tcb_read_registers(cptr_t tcb, uint64_t *regs)
{
	struct ipc_result r = atoll_invoke(tcb, INV_TCB_READ_REGISTERS, 0, 0, 0, 0, 0);
	for (unsigned i = 0; i < REG_COUNT && !r.err; i++)
		regs[i] = i < 4 ? r.mr[i] : atoll_ipcbuf->mr[i];
	return r.err;
}

static inline uint64_t atoll_frame_map(cptr_t frame, cptr_t vspace, uint64_t vaddr, uint64_t rights, uint64_t attrs)
{
	return atoll_invoke(frame, INV_FRAME_MAP, 4, vspace, vaddr, rights, attrs).err;
}
static inline uint64_t atoll_frame_unmap(cptr_t frame) { return atoll_invoke(frame, INV_FRAME_UNMAP, 0, 0, 0, 0, 0).err; }
static inline uint64_t atoll_page_table_map(cptr_t pt, cptr_t vspace, uint64_t vaddr)
{
	return atoll_invoke(pt, INV_PAGE_TABLE_MAP, 2, vspace, vaddr, 0, 0).err;
}
static inline uint64_t atoll_page_table_unmap(cptr_t pt) { return atoll_invoke(pt, INV_PAGE_TABLE_UNMAP, 0, 0, 0, 0, 0).err; }

static inline uint64_t atoll_ioport_issue(cptr_t ctrl, uint64_t first, uint64_t last, cptr_t cnode, uint64_t index)
{
	return atoll_invoke(ctrl, INV_IOPORT_CONTROL_ISSUE, 4, first, last, cnode, index).err;
}
static inline struct ipc_result atoll_ioport_in8(cptr_t io, uint64_t port)
{
	return atoll_invoke(io, INV_IOPORT_IN8, 1, port, 0, 0, 0);
}
static inline uint64_t atoll_ioport_out8(cptr_t io, uint64_t port, uint64_t v)
{
	return atoll_invoke(io, INV_IOPORT_OUT8, 2, port, v, 0, 0).err;
}

/* IPC. */
static inline struct ipc_result atoll_ipc_send(cptr_t ep, uint64_t info, uint64_t m0, uint64_t m1, uint64_t m2, uint64_t m3)
{
	return atoll_call6(SYS_SEND, ep, info, 0, m0, m1, m2, m3);
}
static inline struct ipc_result atoll_ipc_nbsend(cptr_t ep, uint64_t info, uint64_t m0, uint64_t m1, uint64_t m2, uint64_t m3)
{
	return atoll_call6(SYS_NBSEND, ep, info, 0, m0, m1, m2, m3);
}
static inline struct ipc_result atoll_ipc_call(cptr_t ep, uint64_t info, uint64_t m0, uint64_t m1, uint64_t m2, uint64_t m3)
{
	return atoll_call6(SYS_CALL, ep, info, 0, m0, m1, m2, m3);
}
static inline struct ipc_result atoll_ipc_recv(cptr_t ep, cptr_t reply)
{
	return atoll_call6(SYS_RECV, ep, 0, reply, 0, 0, 0, 0);
}
static inline struct ipc_result atoll_ipc_nbrecv(cptr_t ep, cptr_t reply)
{
	return atoll_call6(SYS_NBRECV, ep, 0, reply, 0, 0, 0, 0);
}
static inline struct ipc_result atoll_ipc_reply(cptr_t reply, uint64_t info, uint64_t m0, uint64_t m1, uint64_t m2, uint64_t m3)
{
	return atoll_call6(SYS_REPLY, 0, info, reply, m0, m1, m2, m3);
}
static inline struct ipc_result atoll_ipc_replyrecv(cptr_t ep, cptr_t reply, uint64_t info, uint64_t m0, uint64_t m1,
					      uint64_t m2, uint64_t m3)
{
	return atoll_call6(SYS_REPLYRECV, ep, info, reply, m0, m1, m2, m3);
}
static inline uint64_t atoll_ntfn_signal(cptr_t n) { return atoll_call6(SYS_SIGNAL, n, 0, 0, 0, 0, 0, 0).err; }
static inline struct ipc_result atoll_ntfn_wait(cptr_t n) { return atoll_call6(SYS_WAIT, n, 0, 0, 0, 0, 0, 0); }
static inline struct ipc_result atoll_ntfn_poll(cptr_t n) { return atoll_call6(SYS_POLL, n, 0, 0, 0, 0, 0, 0); }

static inline uint64_t atoll_irq_control_get(cptr_t ctrl, uint64_t irq, cptr_t cnode, uint64_t index)
{
	return atoll_invoke(ctrl, INV_IRQ_CONTROL_GET, 3, irq, cnode, index, 0).err;
}
static inline uint64_t atoll_irq_set_notification(cptr_t handler, cptr_t ntfn)
{
	return atoll_invoke(handler, INV_IRQ_HANDLER_SET_NOTIFICATION, 1, ntfn, 0, 0, 0).err;
}
static inline uint64_t atoll_irq_ack(cptr_t handler) { return atoll_invoke(handler, INV_IRQ_HANDLER_ACK, 0, 0, 0, 0, 0).err; }
static inline uint64_t atoll_irq_clear(cptr_t handler) { return atoll_invoke(handler, INV_IRQ_HANDLER_CLEAR, 0, 0, 0, 0, 0).err; }
