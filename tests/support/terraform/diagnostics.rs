//! Reads the diagnostics Terraform prints with `-json` (plan and apply, 0.15.3 on).

use serde_json::Value;

/// One diagnostic from Terraform's machine-readable UI.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// "error" or "warning".
    pub severity: String,
    pub summary: String,
    pub detail: String,
    /// The configuration line the diagnostic points at, when it points at one.
    pub code: Option<String>,
    /// The resource address Terraform attached, when it attached one.
    pub address: Option<String>,
}

impl Diagnostic {
    /// The configuration attribute the diagnostic points at: the name on the left of
    /// the `=` in the highlighted line, for example `app_ids`.
    pub fn attribute(&self) -> Option<String> {
        let code = self.code.as_deref()?;
        let (name, _) = code.lines().next()?.split_once('=')?;
        let name = name.trim();
        (!name.is_empty() && !name.contains(' ')).then(|| name.to_owned())
    }

    /// Summary and detail together, for searching.
    pub fn text(&self) -> String {
        format!("{}: {}", self.summary, self.detail)
    }
}

/// Every diagnostic in the JSON lines of a `-json` run, in order.
pub fn parse(stdout: &str) -> Vec<Diagnostic> {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["type"] == "diagnostic")
        .map(|message| {
            let d = &message["diagnostic"];
            let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            Diagnostic {
                severity: text(&d["severity"]),
                summary: text(&d["summary"]),
                detail: text(&d["detail"]),
                code: d
                    .pointer("/snippet/code")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                address: d["address"].as_str().map(str::to_owned),
            }
        })
        .collect()
}
