sqc no_such_file.sq
