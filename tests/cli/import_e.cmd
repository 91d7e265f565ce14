sqc -e 'import "import_lib.sq" as m
m.x * 2'
