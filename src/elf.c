// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ELF section headers read with pread(): whether a module file crash
 * loaded has DWARF (a stripped .ko has none). No libelf: three reads of
 * one file need no library, and this stays pure (libc only).
 */

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpk/cleanup.h"
#include "mpk/elf.h"

/* Bounds on what a section header table may ask us to read. */
enum { MAX_SECTIONS = 1 << 16, MAX_SHSTRTAB = 16 << 20 };

static struct mpk_error *read_at(int fd, void *buf, size_t size,
				 uint64_t offset, const char *path)
{
	ssize_t n = pread(fd, buf, size, (off_t)offset);

	if (n < 0)
		return mpk_error_os(errno, path);
	if ((size_t)n != size)
		return mpk_error_create(MPK_ERROR_INVALID,
					"%s: %zu bytes at %#llx past its end",
					path, size,
					(unsigned long long)offset);
	return NULL;
}

static struct mpk_error *not_elf(const char *path, const char *why)
{
	return mpk_error_create(MPK_ERROR_INVALID, "%s: %s", path, why);
}

static struct mpk_error *find_section(int fd, const char *path,
				      const char *name, bool *ret)
{
	_cleanup_free_ Elf64_Shdr *sh = NULL;
	_cleanup_free_ char *names = NULL;
	struct mpk_error *err;
	Elf64_Ehdr eh;
	Elf64_Shdr first;
	uint64_t nsec, strndx;
	size_t i, len = strlen(name);

	err = read_at(fd, &eh, sizeof(eh), 0, path);
	if (err)
		return err;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return not_elf(path, "not an ELF file");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_shentsize != sizeof(Elf64_Shdr))
		return not_elf(path, "not a 64-bit ELF file");
	if (!eh.e_shoff) {
		*ret = false;		/* no section header table at all */
		return NULL;
	}
	err = read_at(fd, &first, sizeof(first), eh.e_shoff, path);
	if (err)
		return err;
	/* ELF's extended numbering: the counts overflow into section 0 */
	nsec = eh.e_shnum ? eh.e_shnum : first.sh_size;
	strndx = eh.e_shstrndx == SHN_XINDEX ? first.sh_link : eh.e_shstrndx;
	if (!nsec || nsec > MAX_SECTIONS || strndx >= nsec)
		return not_elf(path, "bad section header table");
	sh = malloc(nsec * sizeof(*sh));
	if (!sh)
		return &mpk_enomem;
	err = read_at(fd, sh, nsec * sizeof(*sh), eh.e_shoff, path);
	if (err)
		return err;
	if (sh[strndx].sh_size > MAX_SHSTRTAB)
		return not_elf(path, "section names too long");
	names = malloc(sh[strndx].sh_size + 1);
	if (!names)
		return &mpk_enomem;
	err = read_at(fd, names, sh[strndx].sh_size, sh[strndx].sh_offset,
		      path);
	if (err)
		return err;
	names[sh[strndx].sh_size] = '\0';	/* a last name may lack it */
	*ret = false;
	for (i = 0; i < nsec; i++) {
		if (sh[i].sh_name < sh[strndx].sh_size &&
		    !strncmp(names + sh[i].sh_name, name, len + 1)) {
			*ret = true;
			break;
		}
	}
	return NULL;
}

struct mpk_error *mpk_elf_has_section(const char *path, const char *name,
				      bool *ret)
{
	bool found = false;
	struct mpk_error *err;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return mpk_error_os(errno, path);
	err = find_section(fd, path, name, &found);
	close(fd);
	if (!err)
		*ret = found;
	return err;
}
