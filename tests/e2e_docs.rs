//! The docs pages and examples against the real Terraform: every schema attribute is
//! documented as the provider declares it, every example is formatted and valid and is
//! what its page shows, and every resource page documents import as `import.sh` does.

mod docs_pages;
mod support;

use std::path::{Path, PathBuf};

use docs_pages::markdown::{code_blocks, schema_docs, section};
use serde_json::Value;
use support::terraform::Workspace;

/// Resource types that cannot be imported, so their pages need no Import section.
const NOT_IMPORTABLE: &[&str] = &[];

/// The Terraform warning every command prints while dev overrides are in effect.
const DEV_OVERRIDES_WARNING: &str = "Provider development overrides are in effect";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// `terraform providers schema -json` for the provider. Terraform 1.0.3 reads a
/// dev-overridden provider's schema without `init`, so nothing is looked up online.
fn provider_schema() -> Value {
    let workspace = Workspace::bare();
    workspace.write_main("");
    let output = workspace.run_ok(&["providers", "schema", "-json"]);
    let all: Value = serde_json::from_str(&output.stdout).expect("schema -json prints JSON");
    let schema = all["provider_schemas"]["registry.terraform.io/modelarts/modelarts"].clone();
    assert!(
        schema["provider"].is_object() && schema["resource_schemas"].is_object(),
        "providers schema -json has no modelarts provider with resources: {output}"
    );
    schema
}

/// One docs page, the example it must show and the schema block it documents.
struct Page {
    name: String,
    page: PathBuf,
    example: PathBuf,
    block: Value,
}

/// The provider page and one page per resource and data source of `schema`.
fn pages(schema: &Value) -> Vec<Page> {
    let mut pages = vec![Page {
        name: "provider".into(),
        page: repo().join("docs/index.md"),
        example: repo().join("examples/provider/provider.tf"),
        block: schema["provider"]["block"].clone(),
    }];
    let kinds = [
        ("resource_schemas", "resources", "resource.tf"),
        ("data_source_schemas", "data-sources", "data-source.tf"),
    ];
    for (key, dir, file) in kinds {
        for (name, entry) in schema[key].as_object().expect("schema lists types") {
            let short = name
                .strip_prefix("modelarts_")
                .expect("types start modelarts_");
            pages.push(Page {
                name: name.clone(),
                page: repo().join(format!("docs/{dir}/{short}.md")),
                example: repo().join(format!("examples/{dir}/{name}/{file}")),
                block: entry["block"].clone(),
            });
        }
    }
    pages
}

fn fail_on(mismatches: &[String], what: &str) {
    assert!(
        mismatches.is_empty(),
        "{} {what}:\n  {}",
        mismatches.len(),
        mismatches.join("\n  ")
    );
}

/// Every attribute and block of the provider, each resource and each data source is on
/// its page under the right heading with its type and Sensitive mark, and no page
/// documents an attribute, or a type, the provider lacks.
#[test]
fn every_schema_attribute_is_documented_with_its_kind() {
    let schema = provider_schema();
    let pages = pages(&schema);
    let mut mismatches = Vec::new();

    for page in &pages {
        let Some(text) = read(&page.page) else {
            mismatches.push(format!(
                "{}: page {} is missing",
                page.name,
                page.page.display()
            ));
            continue;
        };
        let expected = docs_pages::expected(&page.block);
        for mismatch in docs_pages::compare(&expected, &schema_docs(&text)) {
            mismatches.push(format!("{}: {mismatch}", page.page.display()));
        }
    }
    for dir in ["docs/resources", "docs/data-sources"] {
        for entry in std::fs::read_dir(repo().join(dir)).expect("list the docs pages") {
            let path = entry.expect("read a docs entry").path();
            if !pages.iter().any(|p| p.page == path) {
                mismatches.push(format!(
                    "{}: documents a type the provider lacks",
                    path.display()
                ));
            }
        }
    }

    fail_on(&mismatches, "mismatches between the schema and docs/");
}

/// Copies `from` into `to`, leaving out hidden entries such as `.terraform` or the
/// demo's `.demo` work directory, which are not part of the examples.
fn copy_examples(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy's directory");
    for entry in std::fs::read_dir(from).expect("list an examples directory") {
        let entry = entry.expect("read an examples entry");
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().expect("stat an examples entry").is_dir() {
            copy_examples(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy an example file");
        }
    }
}

/// Directories of `root` holding at least one `.tf` file.
fn configuration_dirs(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut has_tf = false;
    let mut entries: Vec<_> = std::fs::read_dir(root).expect("list a directory").collect();
    entries.sort_by_key(|e| e.as_ref().map(|e| e.path()).ok());
    for entry in entries {
        let path = entry.expect("read a directory entry").path();
        if path.is_dir() {
            found.extend(configuration_dirs(&path));
        } else if path.extension().is_some_and(|e| e == "tf") {
            has_tf = true;
        }
    }
    if has_tf {
        found.insert(0, root.to_owned());
    }
    found
}

/// Problems `terraform validate -json` reports for the configuration in `dir`.
fn validate(dir: &Path, name: &str) -> Vec<String> {
    let workspace = Workspace::bare();
    copy_examples(dir, workspace.path());
    let output = workspace.run(&["validate", "-json", "-no-color"]);
    let Ok(report) = serde_json::from_str::<Value>(&output.stdout) else {
        return vec![format!("{name}: validate printed no JSON: {output}")];
    };
    let mut problems = Vec::new();
    if report["valid"] != true || output.code != 0 {
        problems.push(format!("{name}: terraform validate says it is not valid"));
    }
    for diagnostic in report["diagnostics"].as_array().into_iter().flatten() {
        if diagnostic["summary"] != DEV_OVERRIDES_WARNING {
            problems.push(format!(
                "{name}: {}: {}: {}",
                diagnostic["severity"].as_str().unwrap_or("?"),
                diagnostic["summary"].as_str().unwrap_or(""),
                diagnostic["detail"].as_str().unwrap_or("")
            ));
        }
    }
    problems
}

/// The first line where `shown` and `file` differ, for a readable failure.
fn first_difference(shown: &str, file: &str) -> String {
    let (mut shown_lines, mut file_lines) = (shown.lines(), file.lines());
    for number in 1.. {
        match (shown_lines.next(), file_lines.next()) {
            (Some(a), Some(b)) if a == b => continue,
            (None, None) => break,
            (a, b) => return format!("line {number}: page {a:?}, file {b:?}"),
        }
    }
    "only in trailing blank lines".into()
}

/// Every example passes `terraform fmt -check` and `terraform validate`, and each
/// page's Example Usage is exactly its example file.
#[test]
fn every_example_is_formatted_and_valid() {
    let formatting = Workspace::bare();
    let copy = formatting.path().join("examples");
    copy_examples(&repo().join("examples"), &copy);
    let mut problems = Vec::new();

    let fmt = formatting.run(&["fmt", "-check", "-recursive", "-diff", "examples"]);
    if fmt.code != 0 {
        problems.push(format!(
            "terraform fmt -check -recursive examples/ fails: {fmt}"
        ));
    }

    let dirs = configuration_dirs(&copy);
    for wanted in ["provider", "demo"] {
        if !dirs.contains(&copy.join(wanted)) {
            problems.push(format!("examples/{wanted} holds no configuration"));
        }
    }
    for dir in &dirs {
        let name = dir
            .strip_prefix(formatting.path())
            .expect("inside the copy");
        problems.extend(validate(dir, &name.display().to_string()));
    }

    for page in pages(&provider_schema()) {
        let Some(example) = read(&page.example) else {
            problems.push(format!(
                "{}: {} is missing",
                page.name,
                page.example.display()
            ));
            continue;
        };
        let text = read(&page.page).unwrap_or_default();
        let shown =
            section(&text, "Example Usage").and_then(|usage| code_blocks(usage).into_iter().next());
        match shown {
            None => problems.push(format!(
                "{}: no ```terraform block under `## Example Usage`",
                page.page.display()
            )),
            Some((info, _)) if info != "terraform" => problems.push(format!(
                "{}: the Example Usage block is ```{info}, not ```terraform",
                page.page.display()
            )),
            Some((_, code)) if code.trim_end() != example.trim_end() => problems.push(format!(
                "{}: Example Usage is not {} ({})",
                page.page.display(),
                page.example.display(),
                first_difference(&code, &example)
            )),
            Some(_) => {}
        }
    }

    fail_on(&problems, "problems with examples/");
}

/// Every importable resource's page has an Import section that writes out the ID
/// formats and shows exactly `examples/resources/<type>/import.sh`.
#[test]
fn every_page_documents_import_where_the_resource_supports_it() {
    let schema = provider_schema();
    let resources = schema["resource_schemas"]
        .as_object()
        .expect("schema lists resources");
    let mut problems = Vec::new();

    for name in resources.keys() {
        let short = name
            .strip_prefix("modelarts_")
            .expect("types start modelarts_");
        let page_path = repo().join(format!("docs/resources/{short}.md"));
        let page = read(&page_path).unwrap_or_default();
        if NOT_IMPORTABLE.contains(&name.as_str()) {
            if section(&page, "Import").is_some() {
                problems.push(format!(
                    "{}: documents an import {name} lacks",
                    page_path.display()
                ));
            }
            continue;
        }
        let script = repo().join(format!("examples/resources/{name}/import.sh"));
        let Some(import_sh) = read(&script) else {
            problems.push(format!("{name}: {} is missing", script.display()));
            continue;
        };
        for problem in docs_pages::import::import_problems(name, &page, &import_sh) {
            problems.push(format!("{}: {problem}", page_path.display()));
        }
    }

    fail_on(&problems, "problems with the Import sections");
}
