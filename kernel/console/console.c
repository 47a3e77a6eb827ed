/* Console multiplexer: serial always, plus one screen (VGA text or the
 * framebuffer). Output is unbuffered, so a crash loses nothing. */
#include "arch/arch.h"
#include "console.h"
#include "fbcon.h"
#include "layout.h"
#include "printf.h"

/* One console for every cluster: its state and lock live in the shared
 * section, so that clusters neither overwrite each other's screen lines
 * nor interleave within a line. */
static struct {
	enum { SCREEN_NONE, SCREEN_VGA, SCREEN_FB } screen;
	struct fbcon fb;
	char name[48];
} con KSHARED;

static struct {
	uint32_t owner; /* 1 + APIC id of the holder, 0 = free */
	uint32_t depth;
} con_lock KSHARED;

/* A recursive spinlock: a panic inside a print still prints. */
void console_lock(void)
{
	uint32_t me = arch_lapic_id() + 1, free = 0;

	if (__atomic_load_n(&con_lock.owner, __ATOMIC_RELAXED) == me) {
		con_lock.depth++;
		return;
	}
	for (uint64_t spins = 0;; spins++) {
		free = 0;
		if (__atomic_compare_exchange_n(&con_lock.owner, &free, me, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			break;
		if (spins > (1ull << 28)) { /* a core died holding it: print anyway */
			__atomic_store_n(&con_lock.owner, me, __ATOMIC_RELAXED);
			break;
		}
		__builtin_ia32_pause();
	}
	con_lock.depth = 1;
}

void console_unlock(void)
{
	if (--con_lock.depth == 0)
		__atomic_store_n(&con_lock.owner, 0, __ATOMIC_RELEASE);
}

void console_early_init(void)
{
	arch_serial_init();
}

static void screen_fb(const struct bi_framebuffer *f)
{
	if (fbcon_init(&con.fb, phys_to_virt(f->addr), f->pitch, f->width, f->height, f->bpp,
		       f->red_pos, f->red_size, f->green_pos, f->green_size, f->blue_pos, f->blue_size)) {
		con.screen = SCREEN_FB;
		ksnprintf(con.name, sizeof(con.name), "framebuffer %ux%ux%u", f->width, f->height, f->bpp);
	}
}

void console_screen_init(const struct bootinfo *bi)
{
	const struct bi_framebuffer *f = &bi->fb;

	ksnprintf(con.name, sizeof(con.name), "none");
	if (f->type == BI_FB_EGA_TEXT) {
		if (arch_vga_init(phys_to_virt(f->addr), f->width, f->height)) {
			con.screen = SCREEN_VGA;
			ksnprintf(con.name, sizeof(con.name), "VGA text %ux%u", f->width, f->height);
		}
	} else if (f->type == BI_FB_RGB) {
		screen_fb(f);
	} else if (f->type == BI_FB_NONE && !bi->efi64) {
		/* BIOS boot without a framebuffer tag: the standard text buffer. */
		if (arch_vga_init(phys_to_virt(0xB8000), 80, 25)) {
			con.screen = SCREEN_VGA;
			ksnprintf(con.name, sizeof(con.name), "VGA text 80x25 (assumed)");
		}
	}
}

const char *console_screen_name(void)
{
	return con.name[0] ? con.name : "none";
}

static void console_write_locked(const char *s, size_t len)
{
	arch_serial_write(s, len);
	if (con.screen == SCREEN_VGA)
		arch_vga_write(s, len);
	else if (con.screen == SCREEN_FB)
		fbcon_write(&con.fb, s, len);
}

void console_write(const char *s, size_t len)
{
	console_lock();
	console_write_locked(s, len);
	console_unlock();
}

static void console_sink(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	console_write_locked(s, len);
}

int kvprintf(const char *fmt, va_list ap)
{
	int n;

	console_lock();
	n = kvprintf_sink(console_sink, NULL, fmt, ap);
	console_unlock();
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
