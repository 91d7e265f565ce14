sqc --sampling latin -e "1"
