# plot notes the draws it leaves out (class note), and has no note when it shows them all
sqc plot_left_out.sq
for f in log range trim all; do
  echo "$f: $(xmllint --xpath "string(//*[@class='note'])" out/$f.svg)"
done
