sqc --sampling -e "1"
