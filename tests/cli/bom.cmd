# A UTF-8 byte order mark at the start of a program (some Windows editors write one) is skipped,
# in a file and on standard input; places in errors count from after it.
printf '\357\273\277x = 1\nprint(x + 1)\n' > bom.sq
sqc bom.sq
printf '\357\273\277print("stdin")\n' | sqc
printf '\357\273\277y = 2\nprint(y +)\n' > bom_error.sq
sqc bom_error.sq
