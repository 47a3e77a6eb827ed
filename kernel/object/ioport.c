/* IOPort capabilities: port I/O limited to the capability's range, issued
 * from the IOPortControl capability. */
#include "arch/arch.h"
#include "kobj.h"

static struct kerr issue(struct inv *iv)
{
	uint64_t first = iv->arg[0], last = iv->arg[1];
	struct cte *dst;
	struct kerr e;

	if (iv->len < 4)
		return kerr(E_TRUNCATED_MESSAGE, 0);
	if (first > last || last > 0xFFFF)
		return kerr(E_RANGE_ERROR, 0);
	if ((e = cspace_empty_slot(iv->caller, iv->arg[2], iv->arg[3], &dst)).err)
		return e;
	/* Issued ranges are siblings, never each other's children. */
	cdt_insert(dst, cap_make(OBJ_IOPORT, RIGHTS_ALL, 0, false, 0, first | last << 16), iv->slot,
		   MDB_REVOCABLE | MDB_FIRST_BADGED);
	return KOK;
}

static struct kerr port_io(struct inv *iv, unsigned size, bool out)
{
	uint64_t port = iv->arg[0];

	if (iv->len < (out ? 2u : 1u))
		return kerr(E_TRUNCATED_MESSAGE, 0);
	if (port < cap_ioport_first(iv->cap) || port + size - 1 > cap_ioport_last(iv->cap))
		return kerr(E_RANGE_ERROR, 0);
	if (out) {
		arch_port_out((uint16_t)port, size, (uint32_t)iv->arg[1]);
	} else {
		iv->out[0] = arch_port_in((uint16_t)port, size);
		iv->out_len = 1;
	}
	return KOK;
}

struct kerr ioport_invoke(struct inv *iv)
{
	if (cap_type(iv->cap) == OBJ_IOPORT_CONTROL)
		return iv->label == INV_IOPORT_CONTROL_ISSUE ? issue(iv) : kerr(E_ILLEGAL_OPERATION, 0);
	switch (iv->label) {
	case INV_IOPORT_IN8: return port_io(iv, 1, false);
	case INV_IOPORT_IN16: return port_io(iv, 2, false);
	case INV_IOPORT_IN32: return port_io(iv, 4, false);
	case INV_IOPORT_OUT8: return port_io(iv, 1, true);
	case INV_IOPORT_OUT16: return port_io(iv, 2, true);
	case INV_IOPORT_OUT32: return port_io(iv, 4, true);
	default: return kerr(E_ILLEGAL_OPERATION, 0);
	}
}
