# A temporary file left by a process that was killed (kill -9) is removed by the next write to the
# same path; one whose process is alive (here this shell) and other files are left alone.
dead=2147483647   # no process has this id
touch ".out.csv.sqc-tmp.$dead.aB3xYz" ".out.csv.sqc-tmp.$$.aB3xYz" ".other.csv.sqc-tmp.$dead.aB3xYz" \
      ".out.csv.sqc-tmp.$dead.toolong" "out.csv.sqc-tmp.$dead.aB3xYz"
sqc -e 'write_csv("out.csv", [{a: 1}])'
ls -A | grep 'out\.csv\|other\.csv' | sed "s/\.$$\./.SHELL./" | sort
