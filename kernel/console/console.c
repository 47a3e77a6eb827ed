/* Console multiplexer: serial always, plus one screen (VGA text or the
 * framebuffer). Output is unbuffered, so a crash loses nothing. */
#include "arch/arch.h"
#include "console.h"
#include "fbcon.h"
#include "layout.h"
#include "printf.h"

/* One console for every cluster: its state and lock live in the shared
 * section (docs/clusters.md, "Shared by clusters"), so that clusters
 * neither overwrite each other's screen lines nor interleave within a
 * line. */
static struct {
	enum { SCREEN_NONE, SCREEN_VGA, SCREEN_FB } screen;
	struct fbcon fb;
	char name[48];
} con KSHARED;

/* A ticket lock: cores get the console in the order they asked, so a
 * cluster that prints without pause delays another by at most one hold per
 * core ahead of it (and a user's text is printed one line per hold,
 * console_write_lines). Recursive on one core: a panic inside a print
 * still prints. */
static struct {
	uint32_t next;    /* next ticket to hand out */
	uint32_t serving; /* the ticket whose turn it is */
	uint32_t owner;   /* 1 + APIC id of the holder, 0 = free */
	uint32_t depth;
	uint32_t ticket;  /* the holder's */
} con_lock KSHARED;

/* A core that died holding the console (a fault, a stopped machine) must
 * not silence the others: after this long a waiter prints anyway, and the
 * lock is best effort from then on. */
#define CON_STEAL_SPINS (1ull << 28)

void console_lock(void)
{
	uint32_t me = arch_lapic_id() + 1, t;

	if (__atomic_load_n(&con_lock.owner, __ATOMIC_RELAXED) == me) {
		con_lock.depth++;
		return;
	}
	t = __atomic_fetch_add(&con_lock.next, 1, __ATOMIC_RELAXED);
	for (uint64_t spins = 0; (int32_t)(__atomic_load_n(&con_lock.serving, __ATOMIC_ACQUIRE) - t) < 0;
	     spins++) {
		if (spins > CON_STEAL_SPINS)
			break;
		__builtin_ia32_pause();
	}
	__atomic_store_n(&con_lock.owner, me, __ATOMIC_RELAXED);
	con_lock.ticket = t;
	con_lock.depth = 1;
}

/* Serving moves on past our ticket; only ever forwards, so a holder that
 * was only slow, not dead, cannot take the turn back after a steal. */
void console_unlock(void)
{
	uint32_t next, cur;

	if (--con_lock.depth)
		return;
	next = con_lock.ticket + 1;
	cur = __atomic_load_n(&con_lock.serving, __ATOMIC_RELAXED);
	__atomic_store_n(&con_lock.owner, 0, __ATOMIC_RELAXED);
	while ((int32_t)(next - cur) > 0 &&
	       !__atomic_compare_exchange_n(&con_lock.serving, &cur, next, false, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED))
		;
}

void console_early_init(void)
{
	arch_serial_init();
}

/* The framebuffer's bytes: what the console writes and maps. */
static uint64_t fb_bytes(const struct bi_framebuffer *f)
{
	return (uint64_t)f->pitch * f->height;
}

static void screen_fb(const struct bi_framebuffer *f, void *va)
{
	if (fbcon_init(&con.fb, (uintptr_t)va, f->pitch, f->width, f->height, f->bpp, f->red_pos,
		       f->red_size, f->green_pos, f->green_size, f->blue_pos, f->blue_size)) {
		con.screen = SCREEN_FB;
		ksnprintf(con.name, sizeof(con.name), "framebuffer %ux%ux%u", f->width, f->height, f->bpp);
	}
}

/* Reachable through the loader's early map (the first 4 GiB)? */
static bool early_mapped(paddr_t pa, uint64_t len)
{
	return len <= DMAP_MIN_SIZE && pa <= DMAP_MIN_SIZE - len;
}

void console_screen_init(const struct bootinfo *bi)
{
	const struct bi_framebuffer *f = &bi->fb;

	ksnprintf(con.name, sizeof(con.name), "none");
	/* vga.c writes cols x rows cells back to back: a text tag whose pitch
	 * says otherwise is not used (its mapping would be too short). */
	if (f->type == BI_FB_EGA_TEXT && (uint64_t)f->pitch == (uint64_t)f->width * 2 &&
	    early_mapped(f->addr, fb_bytes(f))) {
		if (arch_vga_init(phys_to_virt(f->addr), f->width, f->height)) {
			con.screen = SCREEN_VGA;
			ksnprintf(con.name, sizeof(con.name), "VGA text %ux%u", f->width, f->height);
		}
	} else if (f->type == BI_FB_RGB && early_mapped(f->addr, fb_bytes(f))) {
		screen_fb(f, phys_to_virt(f->addr));
	} else if (f->type == BI_FB_NONE && !bi->efi64) {
		/* BIOS boot without a framebuffer tag: the standard text buffer. */
		if (arch_vga_init(phys_to_virt(0xB8000), 80, 25)) {
			con.screen = SCREEN_VGA;
			ksnprintf(con.name, sizeof(con.name), "VGA text 80x25 (assumed)");
		}
	}
}

/* The screen moves to its device mapping: write-combining for a
 * framebuffer, uncached for VGA text. Runs before the final tables are
 * loaded; the device window is mapped in the early tables too, so the
 * screen stays usable across the switch. A framebuffer above 4 GiB comes up
 * here, for the first time. */
void console_screen_remap(const struct bootinfo *bi)
{
	const struct bi_framebuffer *f = &bi->fb;
	void *va;

	console_lock();
	if (con.screen == SCREEN_VGA) {
		paddr_t pa = f->type == BI_FB_EGA_TEXT ? f->addr : 0xB8000;
		uint64_t len = f->type == BI_FB_EGA_TEXT ? fb_bytes(f) : 80 * 25 * 2;

		va = arch_map_device(pa, len, MEM_WC); /* only ever written */
		if (va)
			arch_vga_move(va);
		else
			con.screen = SCREEN_NONE;
	} else if (f->type == BI_FB_RGB) {
		va = arch_map_device(f->addr, fb_bytes(f), MEM_WC);
		if (va && con.screen == SCREEN_FB)
			fbcon_move(&con.fb, (uintptr_t)va);
		else if (va)
			screen_fb(f, va);
		else
			con.screen = SCREEN_NONE; /* no room to map it: serial only */
	}
	if (con.screen == SCREEN_NONE && f->type == BI_FB_RGB)
		kprintf("screen: the framebuffer at %#llx could not be mapped; serial only\n",
			(unsigned long long)f->addr);
	console_unlock();
}

void console_set_alert(bool on)
{
	console_lock();
	if (con.screen == SCREEN_FB)
		fbcon_set_attr(&con.fb, on ? CONSOLE_ALERT_ATTR : FBCON_ATTR_DEFAULT);
	console_unlock();
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

unsigned console_units(size_t n, bool newline)
{
	uint64_t u = 1 + n / 16; /* the serial line and VGA text: ~25 instructions a byte */

	if (con.screen == SCREEN_VGA && newline)
		u += 16; /* a scroll moves the 4,000-byte text buffer */
	else if (con.screen == SCREEN_FB)
		u += n + (newline ? fbcon_scroll_bytes(&con.fb) / 512 : 0); /* glyphs; at most the whole screen */
	return u > 0xFFFFFFFFu ? 0xFFFFFFFFu : (unsigned)u;
}

void console_write_lines(const char *s, size_t len)
{
	while (len) {
		size_t n = 0;
		while (n < len && s[n++] != '\n')
			;
		console_write(s, n);
		s += n;
		len -= n;
	}
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
