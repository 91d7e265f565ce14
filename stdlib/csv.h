/* csv.h — CSV text as RFC 4180 quotes it (shared by write_csv and write_samples). */
#ifndef SQC_CSV_H
#define SQC_CSV_H

#include <stddef.h>

#include "strbuf.h"

/* Appends one field, quoted (with quotes doubled) when it holds a comma, quote or line break. */
void csv_field(StrBuf *out, const char *s, size_t len);

#endif
