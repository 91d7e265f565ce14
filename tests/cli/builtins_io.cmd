sqc builtins_io.sq && cat out/deeper/table.csv && ls out/deeper
