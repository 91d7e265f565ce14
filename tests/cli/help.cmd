sqc --help | head -3 && sqc --version | cut -d' ' -f1
