/* symbol.h — interned names: equal names are the same pointer, so lookups compare pointers.
 * Each interpreter has its own table (Interp.syms); a Sym is valid while its table lives and
 * means nothing to another table. */
#ifndef SQC_SYMBOL_H
#define SQC_SYMBOL_H

#include <stddef.h>

typedef const char *Sym; /* NUL-terminated, lives until symtab_free() of its table */

typedef struct SymTab {
    struct SymEntry *slots; /* open addressing, FNV-1a */
    size_t cap, count;
} SymTab; /* zero-initialised: empty */

Sym sym_intern(SymTab *t, const char *text, size_t len);
Sym sym_intern_cstr(SymTab *t, const char *text);
void symtab_free(SymTab *t); /* every Sym of t becomes invalid */

#endif
