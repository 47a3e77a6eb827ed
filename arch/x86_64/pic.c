/* The legacy 8259 PICs: remapped away from the exception vectors (to
 * 0x20-0x2F) and fully masked. Device interrupts come through the I/O APIC
 * and the local APIC instead. */
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
	outb(PIC1_DATA, 0x20); /* ICW2: vector bases */
	outb(PIC2_DATA, 0x28);
	outb(PIC1_DATA, 0x04); /* ICW3: slave on IRQ2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01); /* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xFF); /* mask everything */
	outb(PIC2_DATA, 0xFF);
}
