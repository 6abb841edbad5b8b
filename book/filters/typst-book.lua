-- typst-book.lua: PDF-only adjustments to the book's structure (runs after Quarto's filters).
--
-- * The HTML book has a "References" chapter holding the bibliography; the PDF prints the
--   bibliography itself at the end (titled "References" by book/typst/book-style.typ), so the
--   chapter would be an empty page: its heading and its #refs div are dropped.
-- * The orange-book template opens the appendices with a heading page that has nothing on it;
--   each appendix carries its own title, so that heading is dropped (the appendix numbering and
--   the running heads are set by the separate `#show: appendices` rule, which stays).
-- * The provenance and citation lines under each figure and table (a div of class
--   artifact-provenance, written by analysis.book) are set in small muted type by the
--   #artifact-note function of book/typst/book-style.typ.

if not quarto.doc.is_format("typst") then
  return {}
end

local APPENDICES_HEADING = "^#heading%(level: 1, numbering: none%)%[Appendices%]%s*$"

return {
  {
    RawBlock = function(el)
      if el.format == "typst" and el.text:match(APPENDICES_HEADING) then
        return {}
      end
    end,
    Header = function(el)
      if el.level == 1 and el.identifier == "references" then
        return {}
      end
    end,
    Div = function(el)
      if el.identifier == "refs" then
        return {}
      end
      if el.classes:includes("artifact-provenance") then
        local blocks = { pandoc.RawBlock("typst", "#artifact-note[") }
        for _, block in ipairs(el.content) do
          table.insert(blocks, block)
        end
        table.insert(blocks, pandoc.RawBlock("typst", "]"))
        return blocks
      end
    end,
  },
}
