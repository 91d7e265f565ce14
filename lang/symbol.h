/* symbol.h — interned names: equal names are the same pointer, so lookups compare pointers. */
#ifndef SQC_SYMBOL_H
#define SQC_SYMBOL_H

#include <stddef.h>

typedef const char *Sym; /* NUL-terminated, lives until sym_free_all() */

Sym sym_intern(const char *text, size_t len);
Sym sym_intern_cstr(const char *text);
void sym_free_all(void);

#endif
