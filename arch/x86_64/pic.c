/* The legacy 8259 PICs: remapped away from the exception vectors and from
 * every vector Atoll uses (to VEC_PIC_BASE, 0xE0-0xEF) and fully masked.
 * Device interrupts come through the I/O APICs and the local APIC instead;
 * LINT0, where the 8259's output arrives in virtual-wire mode, is masked
 * unless the MADT says otherwise. A masked 8259 can still raise its
 * spurious IRQ 7 or 15: they land on VEC_PIC_BASE + 7 and + 15 and are
 * ignored with no EOI (arch_vector_spurious), as for the APIC's own. */
#include "arch/arch.h"
#include "arch/x86.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1

void arch_pic_disable(void)
{
	outb(PIC1_CMD, 0x11); /* ICW1: init, expect ICW4 */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, VEC_PIC_BASE); /* ICW2: vector bases */
	outb(PIC2_DATA, VEC_PIC_BASE + 8);
	outb(PIC1_DATA, 0x04); /* ICW3: slave on IRQ2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01); /* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xFF); /* mask everything */
	outb(PIC2_DATA, 0xFF);
}

bool arch_vector_spurious(uint64_t vector)
{
	return vector == VEC_SPURIOUS || (vector >= VEC_PIC_BASE && vector < VEC_PIC_BASE + 16);
}

uint16_t arch_pic_masks(void)
{
	return (uint16_t)(inb(PIC2_DATA) << 8 | inb(PIC1_DATA));
}
