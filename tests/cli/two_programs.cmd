sqc a.sq b.sq
