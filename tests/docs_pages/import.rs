//! The Import section of a resource page against `examples/resources/<type>/import.sh`.

use super::markdown::{code_blocks, section};

/// ID formats such as `<workspace_id>/<app_id>` named in the comments of `import.sh`.
fn formats_in(comment: &str) -> Vec<String> {
    comment
        .split_whitespace()
        .map(|word| word.trim_matches(|c: char| matches!(c, '`' | ':' | ',' | '.' | ';')))
        .filter(|word| word.starts_with('<') && word.ends_with('>'))
        .map(str::to_owned)
        .collect()
}

/// Every way the Import section of the page for `resource` departs from `import_sh`:
/// the section is missing, its shell example is not the file, an ID format the file
/// names is not written in the prose, or a command imports another type or an ID not
/// shaped like the format above it.
pub fn import_problems(resource: &str, page: &str, import_sh: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(import) = section(page, "Import") else {
        return vec!["has no `## Import` section".into()];
    };

    let blocks = code_blocks(import);
    match blocks.iter().find(|(info, _)| info == "shell") {
        None => problems.push("the Import section has no ```shell example".into()),
        Some((_, code)) if code.trim_end() != import_sh.trim_end() => {
            problems.push("the Import example is not import.sh".into())
        }
        Some(_) => {}
    }

    let prose: String = {
        let mut text = import.to_owned();
        for (_, code) in &blocks {
            text = text.replace(code.as_str(), "");
        }
        text
    };
    let mut format: Option<String> = None;
    let mut commands = 0;
    for line in import_sh.lines().map(str::trim) {
        if let Some(comment) = line.strip_prefix('#') {
            for found in formats_in(comment) {
                if !prose.contains(&format!("`{found}`")) {
                    problems.push(format!(
                        "the ID format `{found}` is not written in the prose"
                    ));
                }
                format = Some(found);
            }
        } else if let Some(args) = line.strip_prefix("terraform import ") {
            commands += 1;
            let (address, id) = args.split_once(' ').unwrap_or((args, ""));
            if !address.starts_with(&format!("{resource}.")) {
                problems.push(format!("import.sh imports `{address}`, not a {resource}"));
            }
            match &format {
                Some(f) if f.split('/').count() == id.trim().split('/').count() => {}
                Some(f) => problems.push(format!("import ID `{id}` is not shaped like `{f}`")),
                None => problems.push(format!("import ID `{id}` follows no named format")),
            }
        }
    }
    if commands == 0 {
        problems.push("import.sh has no `terraform import` command".into());
    }
    if format.is_none() {
        problems.push("import.sh names no ID format such as `<id>` in a comment".into());
    }
    problems
}
