/* Copying to and from user memory page by page (see uaccess.h). */
#include "arch/vspace.h"
#include "kstring.h"
#include "object.h"
#include "uaccess.h"

static uint64_t *thread_pml4(struct tcb *t)
{
	struct cap vs = t->slots[TCB_VSPACE].cap;

	return cap_type(vs) == OBJ_PML4 ? cap_obj(vs) : NULL;
}

static bool copy(struct tcb *t, vaddr_t va, void *kbuf, size_t len, bool write)
{
	uint64_t *pml4 = thread_pml4(t);
	uint8_t *k = kbuf;

	if (!pml4 || !vspace_user_addr_ok(va, len))
		return false;
	while (len) {
		bool writable = false;
		size_t chunk = MIN(len, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		paddr_t pa = vspace_lookup(pml4, va, &writable);
		if (!pa || (write && !writable))
			return false;
		if (write)
			memcpy(phys_to_virt(pa), k, chunk);
		else
			memcpy(k, phys_to_virt(pa), chunk);
		k += chunk;
		va += chunk;
		len -= chunk;
	}
	return true;
}

bool uaccess_read(struct tcb *t, void *dst, vaddr_t va, size_t len)
{
	return copy(t, va, dst, len, false);
}

bool uaccess_write(struct tcb *t, vaddr_t va, const void *src, size_t len)
{
	return copy(t, va, (void *)src, len, true);
}
