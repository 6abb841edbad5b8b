-- true-minus.lua: the sign of a number in running text is a true minus (U+2212), as it is in every
-- table (analysis.book.fmt_number). Inline values formatted by Python ("{:+.3f}") carry an ASCII
-- hyphen, which HTML prints as a hyphen and Typst turns into a minus only after a space, so one
-- sentence could show "(-0.268, −0.300". Only a word that starts with "-" (or "(-", "[-")
-- followed by a digit changes: code, math, links and ranges such as "11-12" are left alone.

function Str(el)
  local text = el.text:gsub("^([%(%[]?)%-(%d)", "%1−%2")
  if text ~= el.text then
    return pandoc.Str(text)
  end
end
