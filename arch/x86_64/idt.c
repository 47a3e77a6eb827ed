/* The interrupt descriptor table: one per cluster (its copy of .bss), shared
 * by the cluster's cores, read-only after boot. */
#include "arch/cpu.h"
#include "arch/trap.h"
#include "arch/x86.h"

struct idt_gate {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t type; /* P | DPL | 0xE (interrupt gate) */
	uint16_t off1;
	uint32_t off2;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

extern const uint64_t trap_stubs[256];
extern const char ist_nmi_entry[], ist_mc_entry[]; /* ist.asm: whatever GS holds */
static struct idt_gate idt[256] __attribute__((aligned(16)));

static uint8_t gate_ist(unsigned v)
{
	switch (v) {
	case VEC_DF:
		return IST_DOUBLE_FAULT;
	case VEC_NMI:
		return IST_NMI;
	case VEC_MC:
		return IST_MACHINE_CHECK;
	default:
		return 0;
	}
}

uint64_t idt_base(void)
{
	return (uint64_t)(uintptr_t)idt;
}

uint16_t idt_limit(void)
{
	return sizeof(idt) - 1;
}

/* Fill the IDT (once) and load it on this core. */
void idt_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) p = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	if (!idt[0].type) {
		for (unsigned v = 0; v < 256; v++) {
			uint64_t a = v == VEC_NMI ? (uint64_t)(uintptr_t)ist_nmi_entry
				   : v == VEC_MC  ? (uint64_t)(uintptr_t)ist_mc_entry
						  : trap_stubs[v];
			unsigned dpl = (v == VEC_BP) ? 3 : 0;
			idt[v] = (struct idt_gate){ (uint16_t)a, SEL_KCODE, gate_ist(v),
						    (uint8_t)(0x8E | dpl << 5), (uint16_t)(a >> 16),
						    (uint32_t)(a >> 32), 0 };
		}
	}
	lidt(&p);
}
