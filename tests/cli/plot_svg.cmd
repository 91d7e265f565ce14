# plot writes SVG 1.1 that parses as XML: one bar per bin and series, tick labels, a legend
sqc plot_svg.sq
for f in one three log dice; do
  svg=out/$f.svg
  xmllint --noout "$svg" && echo "$f: well-formed XML"
  q() { xmllint --xpath "$1" "$svg"; echo; }
  echo "  root $(q "name(/*)") version $(q "string(/*/@version)") namespace $(q "namespace-uri(/*)")"
  echo "  bars $(q "count(//*[@class='bar'])") series $(q "count(//*[@class='series'])")"
  echo "  x tick labels: $(q "count(//*[local-name()='g'][@class='x-axis']/*[@class='tick-label'])"), y tick labels: $(q "count(//*[local-name()='g'][@class='y-axis']/*[@class='tick-label'])")"
  echo "  title: $(q "string(//*[@class='title'])")"
  echo "  legend: $(q "count(//*[@class='legend-label'])")$(for i in 1 2 3; do q "string((//*[@class='legend-label'])[$i])"; done | tr -s '\n' ' ' | sed 's/^/ /; s/ *$//')"
  echo "  quantile lines: $(q "count(//*[local-name()='line'][@class='quantile'])")"
done
xmllint --xpath "string((//*[@class='tick-label'])[last()])" out/one.svg; echo
