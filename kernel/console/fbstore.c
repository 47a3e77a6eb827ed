/*
 * The kernel's stores to video memory (fbcon.h): volatile, front to back,
 * 8 bytes at a time where aligned, and never a load from the destination,
 * so write-combining buffers fill whole and nothing is read from the device.
 */
#include "fbcon.h"

void fb_store(uintptr_t dst, const void *src, size_t n)
{
	const uint8_t *s = src;

	for (; n && (dst & 7); n--)
		*(volatile uint8_t *)dst++ = *s++;
	for (; n >= 8; n -= 8, dst += 8, s += 8) {
		uint64_t v;

		__builtin_memcpy(&v, s, 8);
		*(volatile uint64_t *)dst = v;
	}
	for (; n; n--)
		*(volatile uint8_t *)dst++ = *s++;
}

/* A full fence orders and drains write-combining buffers (an SFENCE would
 * do; the C fence keeps the kernel free of x86 instructions). */
void fb_store_done(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
