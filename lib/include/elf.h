/*
 * ELF64 executable checking for loaders (the kernel's root-task loader and
 * userland's). Pure C: validates the header and every program header
 * against the image size before anything is trusted; host-tested.
 */
#pragma once
#include "types.h"

#define ELF_MAX_SEGMENTS 16
#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

struct elf_segment {
	uint64_t vaddr, memsz;  /* [vaddr, vaddr + memsz) in the new space */
	uint64_t offset, filesz; /* bytes [offset, offset + filesz) of the image */
	uint32_t flags;          /* ELF_PF_* */
};

struct elf_info {
	uint64_t entry;
	uint32_t count;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/* Check `img` (size bytes) is a little-endian x86-64 ELF64 executable whose
 * loadable segments lie inside the image, don't overlap, don't wrap, and
 * end below `va_limit`. NULL on success, else a message. */
const char *elf_parse(const void *img, uint64_t size, uint64_t va_limit, struct elf_info *out);
