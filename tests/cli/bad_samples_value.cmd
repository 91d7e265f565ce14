sqc -e '1' --samples lots
