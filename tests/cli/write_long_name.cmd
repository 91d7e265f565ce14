# A file name of up to 255 bytes works: the temporary file's name is shortened to fit (the old
# suffix .tmp.XXXXXX pushed a 254-byte name past the limit). A longer name is an error.
name=$(printf 'n%.0s' $(seq 250)).csv
sqc -e "write_csv(\"$name\", [{a: 1}])" && cat "$name"
utf8=$(printf 'é%.0s' $(seq 126)).c
sqc -e "write_csv(\"$utf8\", [{a: 2}])" && cat "$utf8"
sqc -e "write_csv(\"xx$utf8\", [{a: 3}])" 2>&1 | head -1 | sed 's/.*: /too long: /'
ls -A | grep sqc-tmp || echo "no temporary files"
