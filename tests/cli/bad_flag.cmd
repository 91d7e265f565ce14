sqc --frobnicate
