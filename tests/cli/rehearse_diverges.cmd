sqc rehearse_diverges.sq --samples 200K --rehearse=always && cat out/figures.csv && rm -r out &&
sqc rehearse_diverges.sq --samples 200K --rehearse=never && cat out/figures.csv
