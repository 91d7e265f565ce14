" probe.vim — prints, for each line of the file being edited, where the syntax group changes:
" [COLUMN:GROUP] (editors.sh). The file's type comes from ftdetect/sq.vim.
let out = []
for lnum in range(1, line('$'))
  let s = ''
  let prev = ''
  for col in range(1, col([lnum, '$']) - 1)
    let n = synIDattr(synID(lnum, col, 1), 'name')
    if n !=# prev
      let s .= '[' . col . ':' . n . ']'
      let prev = n
    endif
  endfor
  call add(out, lnum . ' ' . s)
endfor
call writefile(['filetype=' . &filetype] + out, g:probe_out)
qa!
