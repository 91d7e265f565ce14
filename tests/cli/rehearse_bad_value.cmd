sqc --rehearse=sometimes -e 1
