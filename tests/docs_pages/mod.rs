//! What the docs pages must say about a schema, derived from
//! `terraform providers schema -json`, and the comparison of a page against it.

pub mod import;
pub mod markdown;

#[cfg(test)]
mod checks;

use std::collections::BTreeMap;

use markdown::{Entry, SchemaDocs, Section};
use serde_json::{Map, Value};

/// The entries and nested-schema anchors one schema block calls for.
#[derive(Debug, Default)]
pub struct Expected {
    pub entries: BTreeMap<String, Entry>,
    /// Dotted path of each attribute or block with a nested schema -> its anchor id.
    pub anchors: BTreeMap<String, String>,
}

impl Expected {
    fn add(&mut self, path: &str, section: Section, kind: String, flags: Vec<String>) {
        let entry = Entry {
            section,
            kind,
            flags,
        };
        self.entries.insert(path.to_owned(), entry);
    }
}

/// What the page for a schema block (`{"attributes": .., "block_types": ..}`) must list.
pub fn expected(block: &Value) -> Expected {
    let mut out = Expected::default();
    add_block(&mut out, "", block);
    out
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn anchor(kind: &str, path: &str) -> String {
    format!("nested{kind}--{}", path.replace('.', "--"))
}

fn flag(value: &Value, key: &str) -> bool {
    value[key].as_bool().unwrap_or(false)
}

/// Registry convention: required -> Required, optional (computed or not) -> Optional,
/// computed only -> Read-Only.
fn attribute_section(attribute: &Value) -> Section {
    if flag(attribute, "required") {
        Section::Required
    } else if flag(attribute, "optional") {
        Section::Optional
    } else {
        Section::ReadOnly
    }
}

fn attribute_flags(attribute: &Value) -> Vec<String> {
    let mut flags = Vec::new();
    if flag(attribute, "sensitive") {
        flags.push("Sensitive".to_owned());
    }
    if flag(attribute, "deprecated") {
        flags.push("Deprecated".to_owned());
    }
    flags
}

fn add_block(out: &mut Expected, prefix: &str, block: &Value) {
    let empty = Map::new();
    for (name, attribute) in block["attributes"].as_object().unwrap_or(&empty) {
        let path = join(prefix, name);
        let section = attribute_section(attribute);
        let kind = match attribute.get("nested_type") {
            Some(nested) => nesting_kind("Attributes", nested),
            None => type_name(&attribute["type"]),
        };
        let flags = attribute_flags(attribute);
        out.add(&path, section, kind, flags);
        if let Some(nested) = attribute.get("nested_type") {
            out.anchors.insert(path.clone(), anchor("att", &path));
            add_block(out, &path, nested);
        } else if let Some(fields) = object_fields(&attribute["type"]) {
            out.anchors.insert(path.clone(), anchor("att", &path));
            add_object(out, &path, section, fields);
        }
    }
    for (name, block_type) in block["block_types"].as_object().unwrap_or(&empty) {
        let path = join(prefix, name);
        let nested = &block_type["block"];
        let section = if block_type["min_items"].as_u64().unwrap_or(0) > 0 {
            Section::Required
        } else if is_computed_only(nested) {
            Section::ReadOnly
        } else {
            Section::Optional
        };
        let mut flags = Vec::new();
        if let Some(max) = block_type["max_items"].as_u64() {
            flags.push(format!("Max: {max}"));
        }
        let kind = nesting_kind("Block", block_type);
        out.add(&path, section, kind, flags);
        out.anchors.insert(path.clone(), anchor("block", &path));
        add_block(out, &path, nested);
    }
}

/// The fields of an object type, also inside lists, sets and maps, listed in the
/// object's nested schema under the section of the attribute holding it.
fn add_object(out: &mut Expected, prefix: &str, section: Section, fields: &Map<String, Value>) {
    for (name, field) in fields {
        let path = join(prefix, name);
        let kind = type_name(field);
        out.add(&path, section, kind, Vec::new());
        if let Some(inner) = object_fields(field) {
            out.anchors.insert(path.clone(), anchor("att", &path));
            add_object(out, &path, section, inner);
        }
    }
}

fn is_computed_only(block: &Value) -> bool {
    let attributes = block["attributes"].as_object().into_iter().flatten();
    let blocks = block["block_types"].as_object().into_iter().flatten();
    attributes.clone().count() > 0
        && attributes
            .map(|(_, a)| a)
            .all(|a| attribute_section(a) == Section::ReadOnly)
        && blocks.map(|(_, b)| &b["block"]).all(is_computed_only)
}

/// `Block`, `Block List`, `Attributes Set`... after a nesting mode.
fn nesting_kind(base: &str, nested: &Value) -> String {
    match nested["nesting_mode"].as_str().unwrap_or("single") {
        "list" => format!("{base} List"),
        "set" => format!("{base} Set"),
        "map" => format!("{base} Map"),
        _ => base.to_owned(),
    }
}

/// A type in the pages' notation: `String`, `Boolean`, `Set of String`, `List of Object`.
pub fn type_name(ty: &Value) -> String {
    match ty {
        Value::String(s) => match s.as_str() {
            "string" => "String".into(),
            "number" => "Number".into(),
            "bool" => "Boolean".into(),
            "dynamic" => "Dynamic".into(),
            other => format!("unknown type {other}"),
        },
        Value::Array(parts) => match parts.first().and_then(Value::as_str) {
            Some("list") => format!("List of {}", type_name(&parts[1])),
            Some("set") => format!("Set of {}", type_name(&parts[1])),
            Some("map") => format!("Map of {}", type_name(&parts[1])),
            Some("object") => "Object".into(),
            Some("tuple") => "Tuple".into(),
            _ => format!("unknown type {ty}"),
        },
        _ => format!("unknown type {ty}"),
    }
}

fn object_fields(ty: &Value) -> Option<&Map<String, Value>> {
    match ty.as_array()?.as_slice() {
        [kind, fields] if kind == "object" => fields.as_object(),
        [kind, inner] if kind == "list" || kind == "set" || kind == "map" => object_fields(inner),
        _ => None,
    }
}

/// Every way `page` departs from `expected`, one sentence each naming the attribute.
pub fn compare(expected: &Expected, page: &SchemaDocs) -> Vec<String> {
    let mut mismatches = page.problems.clone();
    for (path, want) in &expected.entries {
        let Some(got) = page.entries.get(path) else {
            mismatches.push(format!(
                "`{path}` is missing (schema: {}, ({}))",
                want.section,
                notation(want)
            ));
            continue;
        };
        if got.section != want.section {
            mismatches.push(format!(
                "`{path}` is under {} but the schema makes it {}",
                got.section, want.section
            ));
        }
        if got.kind != want.kind {
            mismatches.push(format!(
                "`{path}` is typed ({}) but the schema says ({})",
                got.kind, want.kind
            ));
        }
        let sensitive = |e: &Entry| e.flags.iter().any(|f| f == "Sensitive");
        if sensitive(want) && !sensitive(got) {
            mismatches.push(format!("`{path}` is sensitive but not marked (Sensitive)"));
        } else if sensitive(got) && !sensitive(want) {
            mismatches.push(format!(
                "`{path}` is marked Sensitive but the schema is not"
            ));
        } else if got.flags != want.flags {
            mismatches.push(format!(
                "`{path}` is noted ({}) but the schema says ({})",
                notation(got),
                notation(want)
            ));
        }
    }
    for path in page.entries.keys() {
        if !expected.entries.contains_key(path) {
            mismatches.push(format!("documents `{path}`, which the schema lacks"));
        }
    }
    for (path, id) in &expected.anchors {
        if page.anchors.get(path) != Some(id) {
            mismatches.push(format!(
                "nested schema of `{path}` is missing or not anchored `<a id=\"{id}\"></a>`"
            ));
        }
        if page.entries.contains_key(path) && page.links.get(path) != Some(&format!("#{id}")) {
            mismatches.push(format!(
                "`{path}` does not link to its nested schema `#{id}`"
            ));
        }
    }
    for path in page.anchors.keys() {
        if !expected.anchors.contains_key(path) {
            mismatches.push(format!(
                "has a nested schema for `{path}`, which the schema lacks"
            ));
        }
    }
    mismatches
}

fn notation(entry: &Entry) -> String {
    std::iter::once(entry.kind.as_str())
        .chain(entry.flags.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(", ")
}
