-- typst-book.lua: PDF-only adjustments to the book's structure.
--
-- * The HTML book has a "References" chapter holding the bibliography; the PDF prints the
--   bibliography itself at the end (titled "References"), so the chapter would be an empty page.
-- * The orange-book template opens the appendices with a heading page that has nothing on it;
--   the appendix chapters carry their own titles, so that page is dropped.

if not quarto.doc.is_format("typst") then
  return {}
end

local function is_empty_appendices_heading(block)
  return block.t == "RawBlock" and block.format == "typst"
    and block.text:match("^#heading%(level: 1, numbering: none%)%[Appendices%]$") ~= nil
end

return {
  {
    Pandoc = function(doc)
      local blocks = pandoc.List()
      for _, block in ipairs(doc.blocks) do
        local drop = is_empty_appendices_heading(block)
          or (block.t == "Header" and block.identifier == "references" and block.level == 1)
          or (block.t == "Div" and block.identifier == "refs")
        if not drop then
          blocks:insert(block)
        end
      end
      doc.blocks = blocks
      return doc
    end,
  },
}
