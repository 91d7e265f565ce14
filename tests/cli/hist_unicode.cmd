# hist draws bars in eighths of a cell in a UTF-8 locale and falls back to ASCII in the C locale
LC_ALL=C.UTF-8 sqc hist_unicode.sq
LC_ALL=C sqc hist_unicode.sq | head -4
LC_ALL=C.UTF-8 sqc hist_unicode.sq --ascii | tail -2
