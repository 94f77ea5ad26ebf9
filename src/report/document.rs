//! A small document model for the annexes: headings, paragraphs, lists,
//! tables and figures, rendered once to self-contained HTML and once to
//! Markdown, so the two formats always say the same thing.

use crate::render::escape;
use std::fmt::Write;

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(u8, String),
    Paragraph(String),
    List(Vec<String>),
    /// Links to other pages: (text, relative href).
    Links(Vec<(String, String)>),
    Table(Table),
    /// An inline SVG with its text alternative and caption.
    Figure {
        svg: String,
        alt: String,
        caption: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Whether a reader can sort it by clicking a header (HTML only).
    pub sortable: bool,
}

/// A table cell: its text, an optional link, and a sort key for numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub sort: Option<f64>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            href: None,
            sort: None,
        }
    }

    pub fn number(text: impl Into<String>, value: f64) -> Cell {
        Cell {
            sort: Some(value),
            ..Cell::text(text)
        }
    }

    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell {
            href: Some(href.into()),
            ..Cell::text(text)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

const STYLE: &str = include_str!("annex.css");
/// Sorting for tables marked sortable: no network, no dependencies.
const SORT_SCRIPT: &str = include_str!("sort.js");

impl Document {
    /// A self-contained page: inline CSS and SVG, no network requests.
    pub fn to_html(&self) -> String {
        let mut out = String::with_capacity(64 * 1024);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n",
            escape(&self.title)
        );
        for block in &self.blocks {
            html_block(&mut out, block);
        }
        out.push_str("</main>\n");
        if self
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Table(t) if t.sortable))
        {
            let _ = write!(out, "<script>\n{SORT_SCRIPT}</script>\n");
        }
        out.push_str("</body>\n</html>\n");
        out
    }

    /// Markdown for pasting into Word-based JSNA templates (figures become
    /// their text alternative: Markdown cannot carry inline SVG portably).
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            markdown_block(&mut out, block);
            out.push('\n');
        }
        out
    }
}

fn html_block(out: &mut String, block: &Block) {
    match block {
        Block::Heading(level, text) => {
            let _ = writeln!(out, "<h{level}>{}</h{level}>", escape(text));
        }
        Block::Paragraph(text) => {
            let _ = writeln!(out, "<p>{}</p>", escape(text));
        }
        Block::List(items) => {
            out.push_str("<ul>\n");
            for item in items {
                let _ = writeln!(out, "<li>{}</li>", escape(item));
            }
            out.push_str("</ul>\n");
        }
        Block::Links(links) => {
            out.push_str("<nav><ul class=\"links\">\n");
            for (text, href) in links {
                let _ = writeln!(
                    out,
                    "<li><a href=\"{}\">{}</a></li>",
                    escape(href),
                    escape(text)
                );
            }
            out.push_str("</ul></nav>\n");
        }
        Block::Table(table) => html_table(out, table),
        Block::Figure { svg, alt, caption } => {
            let _ = writeln!(
                out,
                "<figure>\n<div role=\"img\" aria-label=\"{}\">\n{}</div>\n<figcaption>{}</figcaption>\n</figure>",
                escape(alt),
                strip_xml_prolog(svg),
                escape(caption)
            );
        }
    }
}

fn html_table(out: &mut String, table: &Table) {
    let class = if table.sortable {
        " class=\"sortable\""
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<div class=\"table\"><table{class}>\n<caption>{}</caption>",
        escape(&table.caption)
    );
    out.push_str("<thead><tr>");
    for header in &table.headers {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(header));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let (open, close) = if i == 0 {
                ("<th scope=\"row\"", "</th>")
            } else {
                ("<td", "</td>")
            };
            out.push_str(open);
            if let Some(sort) = cell.sort {
                let _ = write!(out, " data-sort=\"{sort}\" class=\"num\"");
            }
            out.push('>');
            match &cell.href {
                Some(href) => {
                    let _ = write!(
                        out,
                        "<a href=\"{}\">{}</a>",
                        escape(href),
                        escape(&cell.text)
                    );
                }
                None => out.push_str(&escape(&cell.text)),
            }
            out.push_str(close);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
}

/// An SVG file's XML declaration is not allowed inside HTML.
fn strip_xml_prolog(svg: &str) -> &str {
    match svg.strip_prefix("<?xml") {
        Some(rest) => rest
            .split_once("?>")
            .map_or(svg, |(_, body)| body.trim_start()),
        None => svg,
    }
}

fn markdown_block(out: &mut String, block: &Block) {
    match block {
        Block::Heading(level, text) => {
            let _ = writeln!(out, "{} {text}", "#".repeat(usize::from(*level)));
        }
        Block::Paragraph(text) => {
            let _ = writeln!(out, "{text}");
        }
        Block::List(items) => {
            for item in items {
                let _ = writeln!(out, "- {item}");
            }
        }
        Block::Links(links) => {
            let rendered: Vec<String> = links
                .iter()
                .map(|(text, href)| format!("[{text}]({})", href.replace(".html", ".md")))
                .collect();
            let _ = writeln!(out, "{}", rendered.join(" · "));
        }
        Block::Table(table) => {
            let _ = writeln!(out, "*{}*\n", table.caption);
            let _ = writeln!(out, "| {} |", table.headers.join(" | "));
            let _ = writeln!(out, "|{}", " --- |".repeat(table.headers.len()));
            for row in &table.rows {
                let cells: Vec<String> = row.iter().map(|c| c.text.replace('|', "\\|")).collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
            }
        }
        Block::Figure { alt, caption, .. } => {
            let _ = writeln!(out, "*Figure: {caption}.* {alt}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Document {
        Document {
            title: "A & B".into(),
            blocks: vec![
                Block::Heading(1, "Needs in A & B".into()),
                Block::Paragraph("Fewer than <5 people.".into()),
                Block::Table(Table {
                    caption: "Need".into(),
                    headers: vec!["Condition".into(), "People".into()],
                    rows: vec![vec![
                        Cell::link("Psychosis", "E06000018.html"),
                        Cell::number("1,240", 1240.0),
                    ]],
                    sortable: true,
                }),
                Block::Figure {
                    svg: "<?xml version=\"1.0\"?>\n<svg></svg>".into(),
                    alt: "A map".into(),
                    caption: "Unmet need".into(),
                },
            ],
        }
    }

    #[test]
    fn html_is_escaped_accessible_and_self_contained() {
        let html = document().to_html();
        assert!(html.contains("<title>A &amp; B</title>"));
        assert!(html.contains("<p>Fewer than &lt;5 people.</p>"));
        assert!(html.contains("<th scope=\"col\">Condition</th>"));
        assert!(html.contains("<th scope=\"row\"><a href=\"E06000018.html\">Psychosis</a></th>"));
        assert!(html.contains("<td data-sort=\"1240\" class=\"num\">1,240</td>"));
        assert!(html.contains("<div role=\"img\" aria-label=\"A map\">\n<svg></svg>"));
        assert!(!html.contains("<?xml"));
        assert!(
            html.contains("<script>"),
            "sortable tables bring their script inline"
        );
        assert!(
            !html.contains("src=") && !html.contains("<link"),
            "no external resources"
        );
    }

    #[test]
    fn markdown_says_the_same() {
        let md = document().to_markdown();
        assert!(md.contains("# Needs in A & B"));
        assert!(md.contains("| Condition | People |"));
        assert!(md.contains("| Psychosis | 1,240 |"));
        assert!(md.contains("*Figure: Unmet need.* A map"));
    }
}
