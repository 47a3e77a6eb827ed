/* VGA text console (BIOS boots): 16-bit cells of character and attribute.
 * The text is kept in RAM; video memory is only written (a scroll rewrites
 * it from RAM), since reads of uncached video memory are slow on a PC. */
#include "arch/arch.h"
#include "arch/x86.h"
#include "fbcon.h" /* fb_store: stores to video memory, never a load */
#include "kstring.h"
#include "layout.h"

#define VGA_MAX_CELLS (132 * 60) /* the largest VESA text mode */

_Static_assert(VGA_MAX_CELLS % 4 == 0, "the text moves 8 bytes at a time");

/* Shared by all clusters (.kshared), under the console lock (console.c):
 * one screen, one cursor. */
static struct {
	volatile uint16_t *buf; /* video memory: written, never read */
	uint32_t cols, rows, x, y;
	uint16_t text[VGA_MAX_CELLS + 256] __attribute__((aligned(8))); /* what the screen shows, and a blank row below */
} vga KSHARED; /* one screen for every cluster */

#define VGA_ATTR 0x0700 /* light grey on black */

static void vga_cursor(void)
{
	uint16_t pos = (uint16_t)(vga.y * vga.cols + vga.x);
	outb(0x3D4, 0x0F);
	outb(0x3D5, (uint8_t)pos);
	outb(0x3D4, 0x0E);
	outb(0x3D5, (uint8_t)(pos >> 8));
}

bool arch_vga_init(void *text_buffer, uint32_t cols, uint32_t rows)
{
	if (!text_buffer || cols == 0 || rows == 0 || cols > 256 || rows > 256 ||
	    cols * rows > VGA_MAX_CELLS)
		return false;
	vga.buf = text_buffer;
	vga.cols = cols;
	vga.rows = rows;
	vga.x = vga.y = 0;
	for (uint32_t i = 0; i < cols * rows; i++)
		vga.buf[i] = vga.text[i] = VGA_ATTR | ' ';
	return true;
}

void arch_vga_move(void *text_buffer)
{
	if (vga.buf && text_buffer)
		vga.buf = text_buffer;
}

static void vga_set(uint32_t i, uint16_t cell)
{
	vga.text[i] = cell;
	vga.buf[i] = cell;
}

static void vga_newline(void)
{
	vga.x = 0;
	if (++vga.y < vga.rows)
		return;
	vga.y = vga.rows - 1;
	/* Moved in RAM and stored in one pass, 8 bytes at a time (a cell at a
	 * time was 9,000 instructions per scrolled line, in the kernel entry
	 * that printed). */
	for (uint32_t i = 0; i < vga.cols; i++)
		vga.text[vga.cols * vga.rows + i] = VGA_ATTR | ' '; /* the row below the screen */
	if (vga.cols % 4 == 0 && ((uintptr_t)vga.buf & 7) == 0) {
		uint64_t *t = (uint64_t *)(void *)vga.text;
		volatile uint64_t *b = (volatile uint64_t *)(volatile void *)vga.buf;
		for (uint32_t i = 0, n = vga.cols * vga.rows / 4, d = vga.cols / 4; i < n; i++)
			b[i] = t[i] = t[i + d];
	} else {
		memmove(vga.text, vga.text + vga.cols, (size_t)vga.cols * vga.rows * sizeof(uint16_t));
		fb_store((uintptr_t)vga.buf, vga.text, (size_t)vga.cols * vga.rows * sizeof(uint16_t));
	}
}

static void vga_putc(char c)
{
	if (c == '\n') {
		vga_newline();
	} else if (c == '\r') {
		vga.x = 0;
	} else if (c == '\t') {
		do
			vga_putc(' ');
		while (vga.x % 8);
	} else {
		uint8_t ch = (c >= 32 && c < 127) ? (uint8_t)c : '?';
		vga_set(vga.y * vga.cols + vga.x, VGA_ATTR | ch);
		if (++vga.x == vga.cols)
			vga_newline();
	}
}

void arch_vga_write(const char *s, size_t len)
{
	if (!vga.buf)
		return;
	for (size_t i = 0; i < len; i++)
		vga_putc(s[i]);
	vga_cursor();
}
