sqc --check check_flag.sq && echo parses
ls must_not_exist.csv 2>/dev/null || echo nothing ran
sqc --check -e "x = (1 +"
echo status $?
