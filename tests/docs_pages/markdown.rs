//! Reads the registry-style pages under `docs/`: their `##` sections, fenced code
//! blocks and the attribute lists of their Schema section.

use std::collections::BTreeMap;

/// The list heading an attribute sits under, as the registry pages name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Required,
    Optional,
    ReadOnly,
}

impl Section {
    /// The section a `### Required` heading or a `Required:` label names.
    fn from_label(label: &str) -> Option<Section> {
        match label {
            "Required" => Some(Section::Required),
            "Optional" => Some(Section::Optional),
            "Read-Only" => Some(Section::ReadOnly),
            _ => None,
        }
    }
}

impl std::fmt::Display for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Section::Required => "Required",
            Section::Optional => "Optional",
            Section::ReadOnly => "Read-Only",
        })
    }
}

/// How a page or a schema describes one attribute or block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub section: Section,
    /// The type as written in parentheses: `String`, `Set of String`, `Block`...
    pub kind: String,
    /// The words after the type: `Sensitive`, `Deprecated`, `Max: 1`.
    pub flags: Vec<String>,
}

/// What the Schema section of one page documents, keyed by dotted attribute path.
#[derive(Debug, Default)]
pub struct SchemaDocs {
    pub entries: BTreeMap<String, Entry>,
    /// Anchor id placed before each `### Nested Schema for` heading.
    pub anchors: BTreeMap<String, String>,
    /// Link target (`#nestedblock--timeouts`) in an attribute's description.
    pub links: BTreeMap<String, String>,
    /// Lines the parser could not place, each already phrased as a mismatch.
    pub problems: Vec<String>,
}

/// The text of the `## TITLE` section, up to the next `## ` heading.
pub fn section<'a>(page: &'a str, title: &str) -> Option<&'a str> {
    let heading = format!("## {title}");
    let mut start = None;
    let mut offset = 0;
    for line in page.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if let Some(begin) = start {
            if trimmed.starts_with("## ") {
                return Some(&page[begin..offset]);
            }
        } else if trimmed == heading {
            start = Some(offset + line.len());
        }
        offset += line.len();
    }
    start.map(|begin| &page[begin..])
}

/// Every fenced code block of `text` as (info string, content without the fences).
pub fn code_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in text.lines() {
        if let Some((info, mut content)) = open.take() {
            if line.trim_end() == "```" {
                blocks.push((info, content));
            } else {
                content.push_str(line);
                content.push('\n');
                open = Some((info, content));
            }
        } else if let Some(info) = line.strip_prefix("```") {
            open = Some((info.trim().to_owned(), String::new()));
        }
    }
    blocks
}

/// Parses the `## Schema` section: `### Required` / `### Optional` / `### Read-Only`
/// lists, then `### Nested Schema for \`path\`` sections with `Required:`-style labels.
pub fn schema_docs(page: &str) -> SchemaDocs {
    let mut docs = SchemaDocs::default();
    let Some(schema) = section(page, "Schema") else {
        docs.problems.push("has no `## Schema` section".into());
        return docs;
    };
    let mut prefix = String::new();
    let mut current: Option<Section> = None;
    let mut anchor: Option<String> = None;
    for line in schema.lines().map(str::trim_end) {
        if let Some(rest) = line.strip_prefix("<a id=\"") {
            anchor = rest.split('"').next().map(str::to_owned);
        } else if let Some(heading) = line.strip_prefix("### ") {
            if let Some(path) = heading
                .strip_prefix("Nested Schema for `")
                .and_then(|p| p.strip_suffix('`'))
            {
                prefix = path.to_owned();
                current = None;
                if let Some(id) = anchor.take() {
                    docs.anchors.insert(prefix.clone(), id);
                } else {
                    docs.problems
                        .push(format!("nested schema of `{path}` has no anchor before it"));
                }
            } else if let Some(section) = Section::from_label(heading) {
                prefix.clear();
                current = Some(section);
            } else {
                docs.problems
                    .push(format!("unexpected heading `### {heading}`"));
            }
        } else if let Some(section) = line.strip_suffix(':').and_then(Section::from_label) {
            current = Some(section);
        } else if let Some(item) = line.strip_prefix("- ") {
            add_item(&mut docs, &prefix, current, item);
        }
    }
    docs
}

/// Records one `- \`name\` (Kind, Flag) description` line.
fn add_item(docs: &mut SchemaDocs, prefix: &str, current: Option<Section>, item: &str) {
    let parsed = item.strip_prefix('`').and_then(|rest| {
        let (name, rest) = rest.split_once('`')?;
        let (notation, description) = rest.strip_prefix(" (")?.split_once(')')?;
        Some((name, notation, description))
    });
    let Some((name, notation, description)) = parsed else {
        docs.problems.push(format!(
            "list item `- {item}` is not \"- `name` (Type) text\""
        ));
        return;
    };
    let path = if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    };
    let Some(section) = current else {
        docs.problems.push(format!(
            "`{path}` is listed under no Required/Optional/Read-Only heading"
        ));
        return;
    };
    let mut parts = notation.split(", ").map(str::to_owned);
    let entry = Entry {
        section,
        kind: parts.next().unwrap_or_default(),
        flags: parts.collect(),
    };
    if let Some(target) = description
        .split("(#")
        .nth(1)
        .and_then(|t| t.split(')').next())
    {
        docs.links.insert(path.clone(), format!("#{target}"));
    }
    if docs.entries.insert(path.clone(), entry).is_some() {
        docs.problems.push(format!("`{path}` is documented twice"));
    }
}
