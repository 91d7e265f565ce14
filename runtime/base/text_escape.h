/* text_escape.h — text made safe for XML (the SVG charts) and JSON (--json, sqc --serve). */
#ifndef SQC_TEXT_ESCAPE_H
#define SQC_TEXT_ESCAPE_H

#include <stddef.h>

#include "strbuf.h"

/* Text for XML character data and attribute values: & < > " ' escaped, control
 * characters that XML 1.0 forbids and invalid UTF-8 replaced by U+FFFD. */
void xml_escape(StrBuf *out, const char *s, size_t len);
/* A JSON string literal (with quotes); invalid UTF-8 becomes U+FFFD. */
void json_escape(StrBuf *out, const char *s, size_t len);

#endif
