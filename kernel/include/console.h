/* Kernel output: every line goes to COM1 and to the screen (VGA text or the
 * multiboot2 framebuffer, whichever the loader gave us). */
#pragma once
#include "types.h"
#include "bootinfo.h"

void console_early_init(void);                 /* serial only */
/* Add the screen from the framebuffer tag, through the loader's early map,
 * as soon as the tag is found: every later error is visible. */
void console_screen_init(const struct bootinfo *bi);
/* Move it to its device mapping, before the final page tables are loaded. */
void console_screen_remap(const struct bootinfo *bi);
/* White on red for what follows (a panic), or back to the default. */
#define CONSOLE_ALERT_ATTR 0x4f
void console_set_alert(bool on);
void console_write(const char *s, size_t len);
/* Text from user space (already copied into the kernel): the console lock
 * is taken once per line, so no writer holds every cluster's console for
 * longer than one line of at most DEBUG_PUTS_MAX bytes. */
void console_write_lines(const char *s, size_t len);
/* Hold the console (every cluster's) across several prints: one line of
 * output stays whole. Recursive on the same core. */
void console_lock(void);
void console_unlock(void);
int kprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* The work of writing n bytes (a whole line if `newline`) on this console,
 * in preemption units (kernel/preempt.c: ~400 instructions each): long
 * writes stop and continue in a new kernel entry by it. On a framebuffer
 * a line that scrolls moves the whole screen: more than one entry's budget
 * alone (docs/kernel.md, "Bounded kernel entries"). */
unsigned console_units(size_t n, bool newline);
int kvprintf(const char *fmt, va_list ap);
const char *console_screen_name(void);         /* "VGA text 80x25", ... */
