printf 'import "import_lib.sq" as m\nprint(m.label)\n' | sqc
