sqc -e '1' --seed
