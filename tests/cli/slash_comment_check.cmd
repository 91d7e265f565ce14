# --check reports a one-word `//` comment after code too; a name bound later in the file is fine
sqc --check -e 'x = 5 // note'
echo status $?
sqc --check -e 'f() = total // n; n = 2; total = 9; print(f())'
echo status $?
