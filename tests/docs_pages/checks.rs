//! The page checks on small hand-written schemas and pages, so that each kind of
//! mismatch is proven to be reported, by name, without Terraform.

use serde_json::json;

use super::import::import_problems;
use super::markdown::schema_docs;
use super::{compare, expected};

/// A page whose Schema section is `lists`.
fn page(lists: &str) -> String {
    format!("# t\n\n## Schema\n\n{lists}\n## Import\n")
}

/// Each departure of a page from its schema is reported with the attribute's name.
#[test]
fn comparing_a_page_names_each_mismatch() {
    let schema = json!({"attributes": {
        "name": {"type": "string", "required": true},
        "ids": {"type": ["set", "string"], "optional": true, "computed": true},
        "secret": {"type": "string", "computed": true, "sensitive": true},
    }});
    let good = "### Required\n\n- `name` (String) N.\n\n### Optional\n\n- `ids` (Set of \
                String) I.\n\n### Read-Only\n\n- `secret` (String, Sensitive) S.\n";
    let cases = [
        ("the faithful page", good.to_owned(), None),
        (
            "a missing attribute",
            good.replace("- `name` (String) N.\n", ""),
            Some("`name` is missing"),
        ),
        (
            "a wrong heading",
            good.replace("### Optional", "### Read-Only"),
            Some("`ids` is under Read-Only but the schema makes it Optional"),
        ),
        (
            "a wrong type",
            good.replace("(Set of String)", "(List of String)"),
            Some("`ids` is typed (List of String) but the schema says (Set of String)"),
        ),
        (
            "an unmarked secret",
            good.replace("(String, Sensitive)", "(String)"),
            Some("`secret` is sensitive but not marked (Sensitive)"),
        ),
        (
            "an attribute the schema lacks",
            format!("{good}- `extra` (Boolean) E.\n"),
            Some("documents `extra`, which the schema lacks"),
        ),
        (
            "an item under no heading",
            good.replace("### Required\n", ""),
            Some("`name` is listed under no Required/Optional/Read-Only heading"),
        ),
    ];
    for (case, lists, want) in cases {
        let found = compare(&expected(&schema), &schema_docs(&page(&lists)));
        match want {
            None => assert!(found.is_empty(), "{case}: {found:?}"),
            Some(want) => assert!(found.iter().any(|m| m.contains(want)), "{case}: {found:?}"),
        }
    }
}

/// Each departure of an Import section from `import.sh` is reported.
#[test]
fn checking_an_import_section_names_each_problem() {
    let script = "# One: <a_id>/<b_id>\nterraform import t_x.y a/b\n";
    let good = format!("## Import\n\nBy `<a_id>/<b_id>`.\n\n```shell\n{script}```\n");
    let cases = [
        (
            "the faithful section",
            good.clone(),
            script.to_owned(),
            None,
        ),
        (
            "no section",
            "## Schema\n".to_owned(),
            script.to_owned(),
            Some("no `## Import`"),
        ),
        (
            "a drifted example",
            good.replace("a/b", "a/c"),
            script.to_owned(),
            Some("not import.sh"),
        ),
        (
            "an unwritten format",
            good.replace("By `<a_id>/<b_id>`", "By ID"),
            script.to_owned(),
            Some("`<a_id>/<b_id>` is not written"),
        ),
        (
            "another type",
            good.clone(),
            script.replace("t_x.y", "t_z.y"),
            Some("imports `t_z.y`"),
        ),
        (
            "a misshapen ID",
            good.clone(),
            script.replace("a/b", "a"),
            Some("not shaped like"),
        ),
    ];
    for (case, section, script, want) in cases {
        let found = import_problems("t_x", &section, &script);
        match want {
            None => assert!(found.is_empty(), "{case}: {found:?}"),
            Some(want) => assert!(found.iter().any(|m| m.contains(want)), "{case}: {found:?}"),
        }
    }
}
