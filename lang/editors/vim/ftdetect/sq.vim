" ftdetect/sq.vim: files ending in .sq are sq programs (docs/editors.md)
autocmd BufNewFile,BufRead *.sq setfiletype sq
