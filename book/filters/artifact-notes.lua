-- artifact-notes.lua: put the provenance and citation lines *after* the figure or table they
-- describe (runs before Quarto reads cells as figures and tables).
--
-- analysis.book.show_figure / show_table write the lines as a second cell output (a div of class
-- artifact-provenance). Left inside the cell, a figure with two outputs would become two
-- subfigures and a table's float would hold the lines; moved just after the cell, the figure or
-- table keeps its single output and its caption, and the lines follow it.
--
-- Quarto's Jupyter engine has already numbered a figure cell's outputs as subfigures by then (the
-- cell carries the label, the figure "<label>-1"); with the lines removed, the remaining figure
-- gets the ids a single-output cell has (figure "<label>, cell "cell-<label>").

local function is_note(block)
  return block.t == "Div" and block.classes:includes("artifact-provenance")
end

return {
  {
    Div = function(cell)
      if not cell.classes:includes("cell") then
        return nil
      end
      local notes = pandoc.List()
      local kept = pandoc.List()
      for _, block in ipairs(cell.content) do
        if block.t == "Div" and block.classes:includes("cell-output-display") then
          local rest = pandoc.List()
          for _, inner in ipairs(block.content) do
            if is_note(inner) then
              notes:insert(inner)
            else
              rest:insert(inner)
            end
          end
          if #rest > 0 then
            block.content = rest
            kept:insert(block)
          end
        else
          kept:insert(block)
        end
      end
      if #notes == 0 then
        return nil
      end
      cell.content = kept
      local label = cell.identifier
      local figures = {}
      for _, block in ipairs(kept) do
        if block.t == "Div" and block.classes:includes("cell-output-display") then
          for _, inner in ipairs(block.content) do
            if inner.t == "Figure" then
              table.insert(figures, inner)
            end
          end
        end
      end
      if label ~= "" and #figures == 1 and figures[1].identifier == label .. "-1" then
        figures[1].identifier = label
        cell.identifier = "cell-" .. label
      end
      local out = pandoc.List({ cell })
      out:extend(notes)
      return out
    end,
  },
}
