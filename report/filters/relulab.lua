--[[
relulab.lua: the two Quarto features the relulab report needs, for plain pandoc (>= 3.0).

1. Cross-references. Figures (`![cap](p.png){#fig-x}`), tables (`: cap {#tbl-x}`) and numbered
   headers (`# Title {#sec-x}`) are numbered in document order; captions get "Figure 1: ...",
   "Table 2: ..."; citations `@fig-x`, `@tbl-x`, `@sec-x` become links "Figure 1", "Table 2",
   "Section 3.1" (`[-@fig-x]` gives the number alone, `@Fig-x` is accepted too). An unknown id
   is written "?@id" (as Quarto does) and reported on stderr; so is any other citation when the document
   has no bibliography (it could never resolve).
2. Callouts. `::: {.callout-note|tip|warning|important|caution}` divs become boxes with a title
   (attribute `title="..."`, else a leading header, else the callout type).
]]

local PREFIX = { fig = "Figure", tbl = "Table", sec = "Section" }
local CALLOUT = { note = "Note", tip = "Tip", warning = "Warning",
                  important = "Important", caution = "Caution" }
local NBSP = "\u{A0}"

local numbers = {}  -- id -> number as a string
local has_bibliography = false

local function xref_kind(id)
  local kind = id:match("^(%a+)%-")
  if kind and PREFIX[kind:lower()] then return kind:lower() end
  return nil
end

local function has_class(el, class)
  for _, c in ipairs(el.classes) do
    if c == class then return true end
  end
  return false
end

-- Assign numbers to figures, tables and numbered headers in document order.
local function collect_numbers(doc)
  local count = { fig = 0, tbl = 0 }
  local levels = {}
  -- like pandoc's --number-sections, count levels from the document's top header level
  local top = 6
  doc:walk({ Header = function(h)
    if not has_class(h, "unnumbered") and h.level < top then top = h.level end
  end })
  local function add(id, kind)
    if id == "" or xref_kind(id) ~= kind then return end
    if numbers[id] then
      io.stderr:write("relulab.lua: duplicate id #" .. id .. "\n")
      return
    end
    count[kind] = count[kind] + 1
    numbers[id] = tostring(count[kind])
  end
  doc:walk({
    traverse = "topdown",
    Header = function(h)
      if has_class(h, "unnumbered") then return nil end
      local level = h.level - top + 1
      levels[level] = (levels[level] or 0) + 1
      for l = level + 1, #levels do levels[l] = nil end
      local parts = {}
      for l = 1, level do parts[l] = tostring(levels[l] or 0) end
      if h.identifier ~= "" and xref_kind(h.identifier) == "sec" then
        numbers[h.identifier] = table.concat(parts, ".")
      end
    end,
    Figure = function(f) add(f.identifier, "fig") end,
    Table = function(t) add(t.identifier, "tbl") end,
  })
end

-- Prepend "Figure N: " / "Table N: " to a caption.
local function label_caption(caption, label)
  local lead = { pandoc.Str(label .. ":"), pandoc.Space() }
  local long = caption.long
  if #long > 0 and (long[1].t == "Plain" or long[1].t == "Para") then
    long[1].content = lead .. long[1].content
  else
    lead[2] = nil
    long:insert(1, pandoc.Plain(lead))
  end
  caption.long = long
  return caption
end

local function number_figure(f)
  local n = numbers[f.identifier]
  if n and xref_kind(f.identifier) == "fig" then
    f.caption = label_caption(f.caption, PREFIX.fig .. NBSP .. n)
    return f
  end
end

-- A table in a scroll box, its (numbered) caption above and outside the box, so a wide table scrolls while
-- its caption stays in the text column; the id moves to the wrapper, so links land on the caption.
local function number_table(t)
  local n = numbers[t.identifier]
  if n and xref_kind(t.identifier) == "tbl" then
    t.caption = label_caption(t.caption, PREFIX.tbl .. NBSP .. n)
  end
  local id, cap = t.identifier, t.caption.long
  t.identifier = ""
  -- no relative column widths (pandoc sets them for long pipe-table lines): the browser sizes columns by their
  -- content, and a table too wide for the column scrolls
  for i, cs in ipairs(t.colspecs) do t.colspecs[i] = { cs[1], pandoc.ColWidthDefault } end
  t.caption = { long = pandoc.Blocks({}) }  -- before wrapping: the Div takes a copy of the table
  local box = pandoc.Div({ t }, pandoc.Attr("", { "table-scroll" }))
  if #cap == 0 then
    box.identifier = id
    return box
  end
  return pandoc.Div({ pandoc.Div(cap, pandoc.Attr("", { "table-caption" })), box },
                    pandoc.Attr(id, { "table-float" }))
end

-- Replace cross-reference citations by links carrying the target's number.
local function resolve_cite(cite)
  for _, c in ipairs(cite.citations) do
    if not xref_kind(c.id) then  -- a real bibliography citation: leave it (reported if nothing can resolve it)
      if not has_bibliography then
        for _, d in ipairs(cite.citations) do
          if not xref_kind(d.id) then io.stderr:write("relulab.lua: unresolved citation @" .. d.id .. "\n") end
        end
      end
      return nil
    end
  end
  local out = pandoc.Inlines({})
  for i, c in ipairs(cite.citations) do
    if i > 1 then out:extend({ pandoc.Str(","), pandoc.Space() }) end
    local id = c.id:sub(1, 1):lower() .. c.id:sub(2)
    local n = numbers[id]
    if n then
      local text = n
      if c.mode ~= "SuppressAuthor" then text = PREFIX[xref_kind(id)] .. NBSP .. n end
      out:insert(pandoc.Link(pandoc.Str(text), "#" .. id))
    else
      io.stderr:write("relulab.lua: unresolved cross-reference @" .. c.id .. "\n")
      out:insert(pandoc.Strong(pandoc.Str("?@" .. c.id)))
    end
  end
  return out
end

local function title_inlines(text)
  local blocks = pandoc.read(text, "markdown").blocks
  return pandoc.utils.blocks_to_inlines(blocks)
end

-- Render a Quarto callout div as a titled box.
local function callout(div)
  local kind
  for _, c in ipairs(div.classes) do
    local k = c:match("^callout%-(%a+)$")
    if k and CALLOUT[k] then kind = k end
  end
  if not kind then return nil end
  local content = div.content
  local title
  if div.attributes.title then
    title = title_inlines(div.attributes.title)
    div.attributes.title = nil
  elseif #content > 0 and content[1].t == "Header" then
    title = content[1].content
    content:remove(1)
  else
    title = pandoc.Inlines({ pandoc.Str(CALLOUT[kind]) })
  end
  local classes = pandoc.List({ "callout", "relulab-callout" })
  for _, c in ipairs(div.classes) do classes:insert(c) end
  return pandoc.Div({
    pandoc.Div(pandoc.Plain(title), pandoc.Attr("", { "callout-title" })),
    pandoc.Div(content, pandoc.Attr("", { "callout-body" })),
  }, pandoc.Attr(div.identifier, classes, div.attributes))
end

function Pandoc(doc)
  has_bibliography = doc.meta.bibliography ~= nil or doc.meta.references ~= nil
  collect_numbers(doc)
  return doc:walk({
    Figure = number_figure,
    Table = number_table,
    Cite = resolve_cite,
    Div = callout,
  })
end
