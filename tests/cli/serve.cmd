# sqc --serve (docs/jupyter.md, "The protocol"): one JSON request a line in, one reply a line out,
# in one session. Values, print and a format table, an error with its place and caret and then a
# cell using an earlier binding, hist and plot as display items (their SVG cut to "…" here), a
# plot with a path writes its file too, %samples and :seed re-run the session, Tab, Shift-Tab,
# whether a cell is whole, and requests that are not (serve.in). The cells draw as a script of them
# would.
sqc --serve | sed -E 's/"svg":"(\\.|[^"\\])*"/"svg":"…"/g'
test -s plots/x.svg && echo "plots/x.svg written"
